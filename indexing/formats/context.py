"""What every format reader is given besides the file: the parser's limits and a progress callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from indexing.extract import ExtractionLimits


@dataclass(frozen=True)
class ReadContext:
    limits: ExtractionLimits
    on_page: Callable[[int], None] | None  # pages parsed so far (PDFs and images)
    filename: str  # the name the file was submitted under (its stored copy is named by its hash)

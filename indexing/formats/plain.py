"""Plain text and Markdown: strict UTF-8, read as it is."""

from __future__ import annotations

from pathlib import Path

from indexing.extract import ExtractedText, extract_plain
from indexing.formats.context import ReadContext
from indexing.formats.sniff import is_text


def accepts(head: bytes) -> bool:
    return is_text(head)


def read(path: Path, context: ReadContext) -> ExtractedText:
    return extract_plain(path)

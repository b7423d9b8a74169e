"""Images (JPEG, PNG, TIFF with any number of frames): OCR'd like scanned PDF pages, one page per frame, in the
sandboxed parser process (the same languages, confidence filter and per-page time limit)."""

from __future__ import annotations

from pathlib import Path

from indexing.extract import ExtractedText, extract_image
from indexing.formats.context import ReadContext
from indexing.formats.sniff import IMAGE_MAGIC


def accepts(head: bytes) -> bool:
    return any(head.startswith(magic) for magic in IMAGE_MAGIC)


def read(path: Path, context: ReadContext) -> ExtractedText:
    return extract_image(path, context.limits, context.on_page)

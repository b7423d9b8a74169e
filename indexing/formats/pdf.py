"""PDF: the text layer of each page, scanned pages OCR'd, parsed in the sandboxed child process."""

from __future__ import annotations

from pathlib import Path

from indexing.extract import ExtractedText, extract_pdf
from indexing.formats.context import ReadContext
from indexing.formats.sniff import PDF_HEADER_WINDOW, PDF_MAGIC, describe


def accepts(head: bytes) -> bool:
    """Anything but another known format: a damaged PDF is taken in and its job fails with the reason."""
    return describe(head) in (None, "a PDF")


def claims(head: bytes) -> bool:
    return PDF_MAGIC in head[:PDF_HEADER_WINDOW]


def read(path: Path, context: ReadContext) -> ExtractedText:
    return extract_pdf(path, context.limits, context.on_page)

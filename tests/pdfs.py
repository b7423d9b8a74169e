"""Real PDFs written with PyMuPDF for tests: text PDFs with known pages, and scanned (image-only) ones."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from indexing.extract import ExtractedText, ExtractionLimits
from indexing.formats import read

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Cyrillic glyphs for the Kazakh OCR test
PAGE_TEXTS = ("First page about Akhmetov.", "Second page: the court hearing.", "Third page, final verdict.")


def extract(path: Path, limits: ExtractionLimits | None = None) -> ExtractedText:
    """A file's text as ingest reads it: its format told by its name and content."""
    return read(path, limits=limits)[1]


def write_pdf(path: Path, texts: tuple[str, ...] = PAGE_TEXTS, **save_options: object) -> Path:
    """A PDF with `texts[i]` on page i + 1 (wrapped to the page) and a metadata title."""
    doc = pymupdf.open()
    for text in texts:
        doc.new_page().insert_textbox(pymupdf.Rect(72, 72, 540, 770), text, fontsize=11)
    doc.set_metadata({"title": "  Test report  "})
    doc.save(path, **save_options)
    return path


def write_scanned_pdf(path: Path, text: str, fontfile: str | None = None) -> Path:
    """An image-only PDF: `text` drawn on a page, rasterised at 150 dpi, and placed as the only content."""
    src = pymupdf.open()
    page = src.new_page()
    fontname = "dejavu" if fontfile else "helv"
    page.insert_textbox(pymupdf.Rect(50, 50, 550, 400), text, fontsize=16, fontname=fontname, fontfile=fontfile)
    pixmap = page.get_pixmap(dpi=150)
    out = pymupdf.open()
    out.new_page(width=page.rect.width, height=page.rect.height).insert_image(page.rect, pixmap=pixmap)
    out.save(path)
    return path

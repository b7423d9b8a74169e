"""The canonical text every citation points into: pages of PDFs, images and plain text, cleaned one way.

PDFs are parsed in a sandboxed child process (see `indexing.pdf_sandbox`); scanned pages are OCR'd with Tesseract.
A text layer of cp1251 read as Latin-1 is repaired one character for one (see `indexing.mojibake`).
Every failure raises `ExtractionError` with a reason a person can act on.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import ExtractionError
from indexing.manifest import DocumentMetadata
from indexing.mojibake import repair_mojibake
from indexing.pdf_sandbox import ExtractionLimits, RawPdf, parse_pdf

__all__ = [
    "Attachment",
    "ExtractedText",
    "ExtractionLimits",
    "Page",
    "clean_page_text",
    "extract_image",
    "extract_pdf",
    "extract_plain",
]

PAGE_SEPARATOR = "\n\n"
READ_BLOCK = 1 << 20  # a text file is read and decoded this many bytes at a time

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # keeps \t, \n, \f (\f and \r handled below)
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_BLANK_RUN = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Page:
    """One PDF page's slice of `ExtractedText.text`."""

    number: int | None  # 1-based page number; None for a region of a text without pages
    char_start: int  # offsets into ExtractedText.text
    char_end: int
    ocr: bool  # True if this page's text came from OCR


@dataclass(frozen=True)
class Attachment:
    """A file found inside another (an e-mail's attachment, a mailbox's message): ingested as a document of its own."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class ExtractedText:
    """The canonical text of a document, with page boundaries for PDFs and images, and what the file says of itself."""

    text: str  # canonical document text; all citations point into it
    pages: tuple[Page, ...]  # empty for texts without pages
    title_hint: str | None  # the title the file's metadata or markup states, or None
    metadata: DocumentMetadata = DocumentMetadata()  # authors, date, url, language the file states (a manifest wins)
    properties: dict[str, str] = field(default_factory=dict)  # format-specific facts: an e-mail's sender, recipients
    attachments: tuple[Attachment, ...] = ()  # files inside this one, each ingested as its own document
    warnings: tuple[str, ...] = ()  # what could not be read, named for a person (an unreadable attachment, ...)


def extract_pdf(
    path: Path, limits: ExtractionLimits | None = None, on_page: Callable[[int], None] | None = None
) -> ExtractedText:
    """The text of a PDF, parsed in the sandboxed child process; `on_page(n)` as its pages are parsed."""
    return _assemble(parse_pdf(path, limits or ExtractionLimits(), on_page))


def extract_image(
    path: Path, limits: ExtractionLimits | None = None, on_page: Callable[[int], None] | None = None
) -> ExtractedText:
    """The OCR text of an image (a page per frame of a TIFF), read in the same sandboxed child process as PDFs."""
    return _assemble(parse_pdf(path, limits or ExtractionLimits(), on_page, image=True))


def clean_page_text(text: str) -> str:
    """Light clean-up of one page: unify newlines, drop control characters and trailing spaces, collapse blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _CONTROL.sub("", text)
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


def _assemble(raw: RawPdf) -> ExtractedText:
    """Join cleaned page texts with blank lines, recording each page's exact slice of the result."""
    parts: list[str] = []
    pages: list[Page] = []
    offset = 0
    for number, raw_page in enumerate(raw.pages, start=1):
        if parts:
            offset += len(PAGE_SEPARATOR)
        page_text = repair_mojibake(clean_page_text(raw_page.text))
        parts.append(page_text)
        pages.append(Page(number, offset, offset + len(page_text), raw_page.ocr))
        offset += len(page_text)
    text = PAGE_SEPARATOR.join(parts)
    if not text.strip():
        if raw.ocr_unavailable:
            raise ExtractionError(
                "no text could be extracted (scanned pages and OCR is not available: install tesseract-ocr)"
            )
        if any(p.ocr for p in pages):
            raise ExtractionError("no text could be extracted (OCR found no text on the scanned pages)")
        raise ExtractionError("no text could be extracted")
    return ExtractedText(text, tuple(pages), raw.title, warnings=page_warnings(raw.damaged_pages))


def page_warnings(damaged: tuple[int, ...]) -> tuple[str, ...]:
    """One warning naming the pages that could not be read, as runs: "pages 2–3, 7 could not be read"."""
    if not damaged:
        return ()
    runs: list[list[int]] = []
    for number in sorted(set(damaged)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    spans = ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)
    noun = "page" if len(damaged) == 1 else "pages"
    return (f"{noun} {spans} could not be read",)


def extract_plain(path: Path) -> ExtractedText:
    """Read a strict UTF-8 text file (BOM stripped, newlines unified to "\\n"), a megabyte at a time: the text is
    the only whole copy ever held, besides its pieces while they are joined."""
    pieces: list[str] = []
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0  # bytes of the file before the block being decoded
    carried = ""  # a "\r" ending a piece, which may begin a "\r\n"
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(READ_BLOCK), b""):
                if offset == 0 and block.startswith(codecs.BOM_UTF8):
                    block, offset = block[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
                pending = len(decoder.getstate()[0])
                try:
                    piece = carried + decoder.decode(block)
                except UnicodeDecodeError as exc:
                    bad = offset - pending + exc.start
                    byte = (exc.object[exc.start : exc.start + 1] or b"\0")[0]
                    raise ExtractionError(
                        f"not UTF-8 text (byte 0x{byte:02X} at offset {bad}); save the file as UTF-8"
                    ) from None
                offset += len(block)
                carried = "\r" if piece.endswith("\r") else ""
                piece = piece[: len(piece) - len(carried)]
                if "\x00" in piece:
                    raise ExtractionError("not UTF-8 text (it contains NUL bytes, e.g. UTF-16); save the file as UTF-8")
                pieces.append(piece.replace("\r\n", "\n").replace("\r", "\n"))
            tail = decoder.getstate()[0]  # bytes of a character the file ends inside (a decoding error)
            if tail:
                raise ExtractionError(
                    f"not UTF-8 text (byte 0x{tail[0]:02X} at offset {offset - len(tail)}); save the file as UTF-8"
                )
            pieces.append("\n" if carried else "")
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror or exc})") from exc
    if offset == 0:
        raise ExtractionError("empty file")
    text = "".join(pieces)
    del pieces
    text = repair_mojibake(text)
    if not text.strip():
        raise ExtractionError("no text in the file (it is empty or whitespace only)")
    return ExtractedText(text, (), None)

"""A document's title: the manifest's, else the PDF metadata's unless it is junk, else the text's first heading."""

from __future__ import annotations

import re
from pathlib import PurePath

TITLE_MAX_CHARS = 200
HEADING_SCAN_LINES = 30  # the first heading is looked for among this many first non-empty lines

# What authoring tools and scanners write into the metadata title instead of a title.
_TOOL_PREFIX = re.compile(r"^(microsoft\s+\w+|word|powerpoint|excel)\s*-\s*", re.IGNORECASE)
_TOOL_NAME = re.compile(  # the program that wrote the file, as its title ("Adobe Photoshop PDF")
    r"^(adobe\s+(photoshop|acrobat|illustrator|indesign)|acrobat\s+distiller|pdfcreator|ghostscript)\b[\w\s.]*$",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r"\.(docx?|rtf|odt|txt|pdf|pptx?|xlsx?|indd|qxd|p65|tiff?|jpe?g|png|html?)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(untitled|document|title|scan(ned)?|image|slide|презентация|документ|без названия|pdf|doc|"
    r"(scan|img|image|dsc|doc|document|page)[\s_-]*\d+)(\s*\d+)?$",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"^[\w.-]*[_\d][\w.-]*$")  # one "word" made of letters, digits and _ (p1000406, ovd_2020)
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]{3,}")  # a heading has a word of three letters at least (OCR noise: "| у AS")


def choose_title(metadata_title: str | None, pdf_title: str | None, text: str, filename: str) -> str:
    """The best title: a curated one, a PDF metadata title that is not junk, the first heading, the file name."""
    if metadata_title:
        return metadata_title
    if pdf_title and not is_junk_title(pdf_title, filename):
        return pdf_title
    return title_from_text(text) or filename


def is_junk_title(title: str, filename: str = "") -> bool:
    """Whether a PDF metadata title says nothing about the document ("Microsoft Word - x.doc", "1", "scanned")."""
    title = " ".join(title.split())
    if _TOOL_PREFIX.match(title) or _TOOL_NAME.match(title) or _FILE_NAME.search(title) or _PLACEHOLDER.match(title):
        return True
    if len(_LETTER.findall(title)) < 3 or (" " not in title and _TOKEN.match(title)):
        return True
    stem = PurePath(filename).stem.lower()
    return bool(stem) and title.lower() in (stem, PurePath(filename).name.lower())


def title_from_text(text: str) -> str | None:
    """The first line that reads as a heading (not a page number or a stamp), shortened to a readable title."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line][:HEADING_SCAN_LINES]
    line = next((line for line in lines if _WORD.search(line)), lines[0] if lines else None)
    if line is None:
        return None
    return shortened(line, TITLE_MAX_CHARS)


def shortened(text: str, max_chars: int) -> str:
    """`text` as it is when it fits in `max_chars`, else cut after its last whole word that fits, with an ellipsis
    (a title in a narrow list says where it was cut, and never ends in half a word)."""
    if len(text) <= max_chars:
        return text
    head = text[: max_chars - 1]
    if not text[max_chars - 1].isspace() and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:–—-") + "…"

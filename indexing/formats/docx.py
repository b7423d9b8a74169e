"""Word documents (.docx): paragraphs and headings in order, tables as text (a row a line, cells between " | "),
and the core properties: title, author, created date."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx
from docx.document import Document as WordDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from archive.errors import ExtractionError
from indexing.dates import StatedDate, parse_iso
from indexing.extract import ExtractedText, clean_page_text
from indexing.formats.context import ReadContext
from indexing.formats.office_zip import member_names, open_package
from indexing.manifest import DocumentMetadata
from indexing.mojibake import repair_mojibake


def accepts(head: bytes) -> bool:
    return bool(member_names(head))


def claims(head: bytes) -> bool:
    names = member_names(head)
    return b"word/" in names and b"opendocument" not in names


def read(path: Path, context: ReadContext) -> ExtractedText:
    open_package(path, "Word document").close()  # damaged or oversized packages fail here, with the reason
    try:
        document = docx.Document(str(path))
    except (KeyError, ValueError, OSError) as exc:  # python-docx: a package without a Word document part
        raise ExtractionError("damaged Word document: its document part cannot be read") from exc
    text = repair_mojibake(clean_page_text("\n\n".join(block for block in _blocks(document) if block.strip())))
    if not text.strip():
        raise ExtractionError("no text in the Word document")
    properties = document.core_properties
    metadata = DocumentMetadata(
        published=_day(properties.created),
        authors=tuple(name.strip() for name in (properties.author or "").split(";") if name.strip()),
    )
    return ExtractedText(text, (), (properties.title or "").strip() or None, metadata)


def _blocks(document: WordDocument) -> list[str]:
    """Paragraphs and tables in the order they stand in the body."""
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(item.text.strip())
        elif isinstance(item, Table):
            blocks.append(_table_text(item))
    return blocks


def _table_text(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:  # a merged cell is repeated once per grid column it spans: keep it once
            value = " ".join(cell.text.split())
            if value and (not cells or cells[-1] != value):
                cells.append(value)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _day(moment: datetime | None) -> StatedDate | None:
    return parse_iso(moment.date().isoformat()) if moment is not None else None

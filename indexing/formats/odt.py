"""OpenDocument text (.odt): headings, paragraphs, lists and tables in order (read from the package's XML), and
the metadata: title, creator, creation date."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from archive.errors import ExtractionError
from indexing.dates import parse_iso
from indexing.extract import ExtractedText, clean_page_text
from indexing.formats.context import ReadContext
from indexing.formats.office_zip import member_names, open_package
from indexing.manifest import DocumentMetadata
from indexing.mojibake import repair_mojibake

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
DC = "http://purl.org/dc/elements/1.1/"
MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"
_SKIPPED = {  # generated or hidden content: a table of contents repeats the headings, annotations are comments
    f"{{{TEXT}}}table-of-content",
    f"{{{TEXT}}}sequence-decls",
    f"{{{OFFICE}}}annotation",
    f"{{{TEXT}}}tracked-changes",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def accepts(head: bytes) -> bool:
    return bool(member_names(head))


def claims(head: bytes) -> bool:
    return MIMETYPE in member_names(head)[:200]


def read(path: Path, context: ReadContext) -> ExtractedText:
    with open_package(path, "OpenDocument text") as package:
        content = _xml(package, "content.xml")
        meta = _xml(package, "meta.xml", required=False)
    body = content.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text") if content is not None else None
    if body is None:
        raise ExtractionError("not an OpenDocument text (the package holds no text body)")
    blocks: list[str] = []
    _collect(body, blocks)
    text = repair_mojibake(clean_page_text("\n\n".join(block for block in blocks if block.strip())))
    if not text.strip():
        raise ExtractionError("no text in the OpenDocument text")
    title, metadata = _metadata(meta)
    return ExtractedText(text, (), title, metadata)


def _xml(package: zipfile.ZipFile, name: str, required: bool = True) -> etree._Element | None:
    try:
        return etree.fromstring(package.read(name), _PARSER)
    except KeyError:
        if required:
            raise ExtractionError(f"damaged OpenDocument text: {name} is missing") from None
        return None
    except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError) as exc:
        raise ExtractionError(f"damaged OpenDocument text: {name} cannot be read") from exc


def _collect(element: etree._Element, blocks: list[str]) -> None:
    """Headings and paragraphs as blocks; lists item by item; a table a row a line; sections looked into."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag in (f"{{{TEXT}}}h", f"{{{TEXT}}}p"):
            blocks.append(" ".join(_inline(child).split()))
        elif tag == f"{{{TABLE}}}table":
            blocks.append(_table(child))
        else:  # lists, list items, sections, frames: their paragraphs
            _collect(child, blocks)


def _inline(element: etree._Element) -> str:
    """The text of a paragraph: spans, links, spaces (`text:s`), tabs and line breaks included; notes left out."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{{{TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{TEXT}}}c", "1") or 1))
        elif tag in (f"{{{TEXT}}}tab", f"{{{TEXT}}}line-break"):
            parts.append(" ")
        elif tag not in (f"{{{TEXT}}}note", *_SKIPPED):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _table(table: etree._Element) -> str:
    rows = []
    for row in table.iter(f"{{{TABLE}}}table-row"):
        cells = []
        for cell in row.iter(f"{{{TABLE}}}table-cell"):
            paragraphs: list[str] = []
            _collect(cell, paragraphs)
            value = " ".join(" ".join(paragraphs).split())
            if value:
                cells.append(value)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _metadata(meta: etree._Element | None) -> tuple[str | None, DocumentMetadata]:
    if meta is None:
        return None, DocumentMetadata()

    def first(path: str) -> str | None:
        found = meta.find(f".//{path}")
        return " ".join((found.text or "").split()) or None if found is not None else None

    title = first(f"{{{DC}}}title")
    creator = first(f"{{{META}}}initial-creator") or first(f"{{{DC}}}creator")
    created = first(f"{{{META}}}creation-date")
    try:
        published = parse_iso(created[:10]) if created else None
    except ValueError:
        published = None
    return title, DocumentMetadata(published=published, authors=(creator,) if creator else ())

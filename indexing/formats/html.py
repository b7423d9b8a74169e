"""Web pages (.html, .htm; .mhtml archives of one page): the main text without navigation and boilerplate
(trafilatura), the title, authors, canonical URL and site from the markup, the publication date from the markup only
(htmldate, without guessing from the text), and the language of `<html lang>`.

The archive stores and cites the extracted text; the page itself is kept as the original file and never rendered.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import htmldate
import trafilatura
from lxml import etree
from lxml import html as lxml_html

from archive.errors import ExtractionError
from indexing.dates import parse_iso
from indexing.extract import ExtractedText, clean_page_text
from indexing.formats.context import ReadContext
from indexing.formats.sniff import is_text, text_start
from indexing.manifest import DocumentMetadata
from indexing.mojibake import repair_mojibake

_SPACES = re.compile(r"\s+")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?=$|[-_])", re.IGNORECASE)
_BLOCKS = ("head", "p", "quote", "code", "item", "row")


def accepts(head: bytes) -> bool:
    return is_text(head)


def claims(head: bytes) -> bool:
    start = text_start(head)
    return start.startswith(("<!doctype html", "<html")) or (start.startswith("<?xml") and "<html" in start)


def accepts_mhtml(head: bytes) -> bool:
    return is_text(head) and "multipart/related" in text_start(head, 4096)


def read(path: Path, context: ReadContext) -> ExtractedText:
    return page_text(_read_bytes(path))


def read_mhtml(path: Path, context: ReadContext) -> ExtractedText:
    """The page inside a web archive (MHTML): its first HTML part, read like a web page."""
    message = email.message_from_bytes(_read_bytes(path), policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html" and isinstance(part, EmailMessage):
            try:
                return page_text(part.get_content().encode("utf-8"))
            except (LookupError, ValueError) as exc:
                raise ExtractionError(f"the web archive's page cannot be decoded ({exc})") from exc
    raise ExtractionError("the web archive holds no HTML page")


def page_text(data: bytes) -> ExtractedText:
    """The main text and the metadata of one web page (raw bytes: its own charset declaration decides)."""
    try:
        found = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False, include_tables=True)
        xml = trafilatura.extract(
            data, output_format="xml", include_comments=False, include_tables=True, with_metadata=False
        )
    except (ValueError, etree.LxmlError) as exc:
        raise ExtractionError(f"the web page cannot be parsed ({exc})") from exc
    text = _text_of_xml(xml) if xml else ""
    if not text.strip():
        raise ExtractionError("no text could be extracted (the web page has no main text)")
    markup = _html_tree(data)
    published = _published(data)
    metadata = DocumentMetadata(
        publisher=_clean(getattr(found, "sitename", None)),
        published=parse_iso(published) if published else None,
        language=_language(markup),
        authors=tuple(a.strip() for a in (_clean(getattr(found, "author", None)) or "").split(";") if a.strip()),
        url=_clean(getattr(found, "url", None)),
        kind="web page",
    )
    return ExtractedText(text, (), _clean(getattr(found, "title", None)), metadata)


def html_text(data: bytes) -> str:
    """All readable text of a small HTML fragment (an e-mail's body), blocks on lines of their own."""
    xml = trafilatura.extract(data, output_format="xml", favor_recall=True, include_tables=True, with_metadata=False)
    text = _text_of_xml(xml) if xml else ""
    if text.strip():
        return text
    tree = _html_tree(data)
    return clean_page_text(tree.text_content()) if tree is not None else ""


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise ExtractionError("empty file")
    return data


def _text_of_xml(xml: str) -> str:
    """Trafilatura's XML of the main text as plain text: one paragraph, heading, list item or table row a block,
    blocks separated by blank lines (list items and table rows by a line break), white space inside a block folded."""
    root = etree.fromstring(xml.encode("utf-8"))
    blocks: list[tuple[str, str]] = []
    for element in root.iter(*_BLOCKS):
        if _inside(element, _BLOCKS):  # a block inside another (code in a paragraph) is read with it
            continue
        if element.tag == "row":
            cells = [_fold(" ".join(cell.itertext())) for cell in element.iter("cell")]
            line = " | ".join(cell for cell in cells if cell)
        elif element.tag == "item":
            line = "- " + _fold(" ".join(element.itertext()))
        else:
            line = _fold(" ".join(element.itertext()))
        if line.strip("- |"):
            blocks.append((element.tag, line))
    out: list[str] = []
    previous = None
    for tag, line in blocks:
        if out:
            out.append("\n" if tag == previous and tag in ("item", "row") else "\n\n")
        out.append(line)
        previous = tag
    return repair_mojibake(clean_page_text("".join(out)))


def _inside(element: etree._Element, tags: tuple[str, ...]) -> bool:
    return any(ancestor.tag in tags for ancestor in element.iterancestors())


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _clean(value: object) -> str | None:
    return _fold(value) or None if isinstance(value, str) else None


def _html_tree(data: bytes) -> lxml_html.HtmlElement | None:
    try:
        return lxml_html.document_fromstring(data)
    except (ValueError, etree.LxmlError):
        return None


def _language(tree: lxml_html.HtmlElement | None) -> str | None:
    """The primary language subtag of `<html lang>` (or of a Content-Language meta element), lower-cased."""
    if tree is None:
        return None
    declared = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not declared:
        metas = tree.xpath("//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')='content-language']")
        declared = metas[0].get("content") if metas else None
    match = _LANGUAGE.match((declared or "").strip())
    return match.group(0).lower() if match else None


def _published(data: bytes) -> str | None:
    """The publication date the markup states (meta elements, `<time>`, structured data), as YYYY-MM-DD."""
    try:
        found = htmldate.find_date(data, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError, etree.LxmlError):
        return None
    return found if isinstance(found, str) else None

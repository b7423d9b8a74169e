"""The one citation of a quoted span: what every page copies, every export carries and the CLI prints.

    “QUOTE” — TITLE, PUBLISHER, DATE, p. 12 (pp. 12–13), characters 1520–1604. LINK

The quote is the cited span itself (on the search page the marked sentence), its whitespace folded to single
spaces; the publisher, date and page are left out where the source does not state them; the offsets index the
document's canonical text (`GET /documents/{id}/text`), and the link opens the reading view at that span. The search
page, the reading view, the quote check, the exports (CSV, JSON, RIS, CSL-JSON) and `archive search` all build it
here, so a citation copied from a page is the same text as the export row of the same result.
"""

from __future__ import annotations

from archive.models import Document, Passage, row_id
from indexing.dates import period
from indexing.page_span import page_label, pages_of
from search.searcher import SearchHit

Span = tuple[int, int]


def passage_link(base_url: str, document_id: int, passage_id: int, span: Span | None = None) -> str:
    """The reading view opened at a passage (at the span `span` of the document, when given)."""
    at = f"&start={span[0]}&end={span[1]}" if span is not None else ""
    return f"{base_url.rstrip('/')}/read/{document_id}?passage={passage_id}{at}#passage-{passage_id}"


def cite(document: Document, passage: Passage, span: Span, base_url: str) -> str:
    """The citation of the document's characters `span` (inside `passage`), linked under `base_url`."""
    start, end = span
    stated = period(document.published, document.published_end)
    pages = page_label(*pages_of(passage, start, end))
    parts = [document.title, document.publisher, stated.label() if stated else None]
    parts.append(f"{'pp' if pages and '–' in pages else 'p'}. {pages}" if pages else None)
    parts.append(f"characters {start}–{end}")
    source = ", ".join(part for part in parts if part)
    link = passage_link(base_url, row_id(document), row_id(passage), span)
    return f"“{' '.join(document.text[start:end].split())}” — {source}. {link}"


def marked_span(hit: SearchHit, highlight: Span) -> Span:
    """The document's characters of a result's marked sentence (`highlight` is relative to the result's text)."""
    return hit.char_start + highlight[0], hit.char_start + highlight[1]


def cite_hit(hit: SearchHit, highlight: Span, base_url: str) -> str:
    """The citation of a search result: its marked sentence."""
    return cite(hit.document, hit.passage, marked_span(hit, highlight), base_url)

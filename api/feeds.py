"""The Atom feed of a saved search: one entry per new passage that answers it, the quote with its citation."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from api.citation import passage_link
from api.schemas import Citation
from archive.models import SavedSearch, row_id
from search.alerts import Match

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"


def _utc(moment: datetime) -> str:
    """RFC 3339 in UTC (SQLite hands datetimes back without their zone; they were stored in UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _entry_title(match: Match) -> str:
    hit = match.hit
    pages = Citation.of(hit.passage, hit.char_start, hit.char_end).pages
    return f"{hit.document.title}, p. {pages}" if pages else hit.document.title


def atom_feed(saved: SavedSearch, matches: list[Match], base_url: str, self_url: str) -> bytes:
    """The feed document: the saved search's query as its title, the newest matches first.

    Each entry's id is stable (the saved search and the passage), its link opens the reading view at the passage
    and its content is the quote, with the character offsets that cite it."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    feed_id = f"{base_url}/saved-searches/{row_id(saved)}"
    _add(feed, "id", feed_id)
    _add(feed, "title", f"New in the archive: {saved.query}")
    newest = max((m.found_at for m in matches), default=saved.created_at)
    _add(feed, "updated", _utc(newest))
    _add(_add(feed, "author"), "name", "Rights archive")
    _add(feed, "link", rel="self", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}/")
    for match in matches:
        hit = match.hit
        passage_id, document_id = row_id(hit.passage), row_id(hit.document)
        entry = _add(feed, "entry")
        _add(entry, "id", f"{feed_id}/passages/{passage_id}")
        _add(entry, "title", _entry_title(match))
        _add(entry, "updated", _utc(match.found_at))
        _add(_add(entry, "author"), "name", hit.document.publisher or hit.document.source)
        _add(entry, "link", rel="alternate", type="text/html", href=passage_link(base_url, document_id, passage_id))
        _add(entry, "summary", hit.text, type="text")
        citation = f"document {document_id}, characters {hit.char_start}-{hit.char_end}, score {hit.score:.3f}"
        _add(entry, "content", f"{hit.text}\n\n({citation})", type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)

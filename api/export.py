"""Search results as files a researcher keeps: CSV, JSON, RIS and CSL-JSON (for reference managers).

Every row carries the quote, its document (title, publisher, authors, date), page, character offsets, a link back
to the passage in the reading view and its citation (api.citation: the marked sentence, as the search page copies
it), so each quote can be found again and checked. Used by `GET /search/export` and `archive search --format`.

CSV cells carry no non-breaking or other fixed-width spaces: spreadsheets show them as odd characters and formulas
do not split on them. `csv_text` (through `spreadsheet_safe`) turns each of them into a plain space, one character
for one, in the file only: the stored text, and so every offset into it, stays as it is (the JSON exports keep the
text exactly; a quote's offsets still index the document's text).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from enum import Enum
from urllib.parse import quote

from api.citation import Span, cite_hit, marked_span, passage_link
from archive.models import row_id
from indexing.dates import DAY, MONTH, YEAR, parse_iso, period
from indexing.persons.names import to_latin
from search.filters import SearchFilters
from search.searcher import SearchHit, SearchPage


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"
    ris = "ris"
    csl_json = "csl-json"


MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.json: "application/json",
    ExportFormat.ris: "application/x-research-info-systems; charset=utf-8",
    ExportFormat.csl_json: "application/vnd.citationstyles.csl+json",
}
EXTENSIONS = {
    ExportFormat.csv: "csv",
    ExportFormat.json: "json",
    ExportFormat.ris: "ris",
    ExportFormat.csl_json: "csl.json",
}
RIS_TYPES = {"news article": "NEWS", "ngo report": "RPRT", "report": "RPRT", "court document": "CASE"}
CSL_TYPES = {
    "news article": "article-newspaper",
    "ngo report": "report",
    "report": "report",
    "court document": "legal_case",
}


@dataclass(frozen=True)
class ExportRow:
    """One cited quote, flat: what every export format is made from."""

    rank: int
    quote: str
    title: str
    publisher: str | None
    authors: list[str]
    published: str | None  # ISO 8601 at the precision the source states (2020, 2020-02, 2020-02-14, or START/END)
    kind: str | None
    page: int | None
    char_start: int
    char_end: int
    language: str | None
    document_id: int
    passage_id: int
    score: float
    link: str  # the reading view at the cited (marked) sentence
    source_url: str | None  # where the document was published, when known
    citation: str  # the citation of the marked sentence, as every page copies it (api.citation)

    @classmethod
    def of(cls, hit: SearchHit, base_url: str, highlight: Span) -> ExportRow:
        """The row of a result; `highlight` is its marked sentence, as offsets inside the result's text."""
        document, passage = hit.document, hit.passage
        stated = period(document.published, document.published_end)
        return cls(
            rank=hit.rank,
            quote=hit.text,
            title=document.title,
            publisher=document.publisher,
            authors=[name for name in (document.authors or "").split("; ") if name],
            published=stated.iso if stated else None,
            kind=document.kind,
            page=passage.page_start,
            char_start=hit.char_start,
            char_end=hit.char_end,
            language=hit.language,
            document_id=row_id(document),
            passage_id=row_id(passage),
            score=round(hit.score, 6),
            link=passage_link(base_url, row_id(document), row_id(passage), marked_span(hit, highlight)),
            source_url=document.url,
            citation=cite_hit(hit, highlight, base_url),
        )


FILENAME_WORDS = 8  # a file is named after the query's first words
FILENAME_CHARS = 60


def export_filename(query: str, fmt: ExportFormat, *, ascii_only: bool = False) -> str:
    """ "archive-search-colony-settlement.csv": the query's first words, joined by hyphens; with `ascii_only`, in
    Latin letters (Cyrillic transliterated, accents dropped) for clients that read no other file names."""
    if ascii_only:
        query = unicodedata.normalize("NFKD", to_latin(query)).encode("ascii", "ignore").decode()
    words = re.findall(r"[^\W_]+", query)[:FILENAME_WORDS]
    slug = "-".join(words)[:FILENAME_CHARS].strip("-").lower()
    return f"archive-search{'-' + slug if slug else ''}.{EXTENSIONS[fmt]}"


def attachment_header(query: str, fmt: ExportFormat) -> str:
    """Content-Disposition of an export: an ASCII `filename` every client reads, and the query's own words in
    `filename*` (RFC 5987/6266) when they are not ASCII."""
    fallback = export_filename(query, fmt, ascii_only=True)
    name = export_filename(query, fmt)
    header = f'attachment; filename="{fallback}"'
    return header if name == fallback else f"{header}; filename*=UTF-8''{quote(name, safe='')}"


def rows_of(page: SearchPage, base_url: str, highlights: list[Span]) -> list[ExportRow]:
    """The rows of a page of results, each with its marked sentence (`highlights`, one per result)."""
    return [ExportRow.of(hit, base_url, highlight) for hit, highlight in zip(page.hits, highlights, strict=True)]


def meta_of(page: SearchPage, filters: SearchFilters) -> dict:
    """What the JSON export says beside the query: the filters that were set, the total, the page's offset."""
    return {"filters": filters.as_params(), "total": page.total, "offset": page.offset}


CSV_COLUMNS = list(ExportRow.__dataclass_fields__)


def render(rows: list[ExportRow], fmt: ExportFormat, query: str, meta: dict | None = None) -> str:
    """The rows as a file in `fmt`; `meta` (filters, total, offset) goes into the JSON export beside the query."""
    if fmt is ExportFormat.csv:
        return to_csv(rows)
    if fmt is ExportFormat.ris:
        return to_ris(rows)
    if fmt is ExportFormat.csl_json:
        return json.dumps(to_csl(rows), ensure_ascii=False, indent=2)
    return json.dumps(result_set(rows, query, meta), ensure_ascii=False, indent=2)


def result_set(rows: list[ExportRow], query: str, meta: dict | None = None) -> dict:
    """One query's results as a JSON object (the JSON export, and one line of a batch)."""
    return {"query": query, **(meta or {}), "results": [asdict(row) for row in rows]}


def to_csv(rows: list[ExportRow], extra: dict[str, str] | None = None) -> str:
    """A header and one line per row (authors joined by "; "); `extra` columns come first, the same on every line."""
    records = [{**(extra or {}), **asdict(row), "authors": "; ".join(row.authors)} for row in rows]
    return csv_text([*(extra or {}), *CSV_COLUMNS], records)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula (OWASP)


# No-break, figure, narrow and other fixed-width spaces, and the ideographic space: each becomes " " in a CSV file.
_OTHER_SPACES = "\u00a0\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_PLAIN_SPACES = str.maketrans(dict.fromkeys(_OTHER_SPACES, " "))


def spreadsheet_safe(value: object) -> object:
    """A cell a spreadsheet shows as text: plain spaces only, and a string that would start a formula gets a leading
    apostrophe."""
    if not isinstance(value, str):
        return value
    value = value.translate(_PLAIN_SPACES)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_text(fieldnames: list[str], records: list[dict]) -> str:
    """CSV with a header line, every cell made spreadsheet-safe: the one way the archive writes CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[str(spreadsheet_safe(f)) for f in fieldnames], lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({str(spreadsheet_safe(k)): spreadsheet_safe(v) for k, v in record.items()})
    return out.getvalue()


def to_ris(rows: list[ExportRow]) -> str:
    """RIS records (one per quote): the citation in N1, the link back in UR."""
    records = []
    for row in rows:
        lines = [("TY", RIS_TYPES.get((row.kind or "").lower(), "GEN")), ("TI", row.title)]
        lines += [("AU", name) for name in row.authors]
        lines += [("PB", row.publisher)] if row.publisher else []
        lines += _ris_dates(row.published)
        lines += [("SP", str(row.page))] if row.page is not None else []
        lines += [("LA", row.language)] if row.language else []
        lines += [("N1", row.citation)]
        lines += [("UR", row.link)] + ([("L2", row.source_url)] if row.source_url else [])
        lines += [("ID", f"passage-{row.passage_id}"), ("ER", "")]
        records.append("\r\n".join(f"{tag}  - {value}".rstrip() for tag, value in lines))
    return "\r\n\r\n".join(records) + ("\r\n" if records else "")


def _ris_dates(published: str | None) -> list[tuple[str, str]]:
    """PY (and DA as precise as the source states); an interval within one year gives its year only."""
    if not published:
        return []
    stated = parse_iso(published)
    if stated.start.year != stated.end.year:
        return []
    dates = [("PY", str(stated.start.year))]
    if stated.precision == DAY and stated.start == stated.end:
        dates.append(("DA", stated.start.strftime("%Y/%m/%d/")))
    elif stated.precision == MONTH:
        dates.append(("DA", stated.start.strftime("%Y/%m//")))
    return dates


def to_csl(rows: list[ExportRow]) -> list[dict]:
    """CSL-JSON items (Zotero, Zettlr, pandoc citeproc); the citation in `note`, the quote and offsets in `custom`."""
    items = []
    for row in rows:
        item: dict = {
            "id": f"passage-{row.passage_id}",
            "type": CSL_TYPES.get((row.kind or "").lower(), "document"),
            "title": row.title,
            "URL": row.link,
            "note": row.citation,
            "custom": {
                "quote": row.quote,
                "char_start": row.char_start,
                "char_end": row.char_end,
                "document_id": row.document_id,
                "passage_id": row.passage_id,
                "source_url": row.source_url,
            },
        }
        if row.authors:
            item["author"] = [{"literal": name} for name in row.authors]
        if row.publisher:
            item["publisher"] = row.publisher
        if row.published:
            item["issued"] = {"date-parts": _csl_date_parts(row.published)}
        if row.page is not None:
            item["page"] = str(row.page)
        if row.language:
            item["language"] = row.language
        items.append(item)
    return items


def _csl_date_parts(published: str) -> list[list[int]]:
    stated = parse_iso(published)
    parts = {DAY: 3, MONTH: 2, YEAR: 1}[stated.precision]
    first = [stated.start.year, stated.start.month, stated.start.day][:parts]
    if "/" not in stated.iso:
        return [first]
    return [first, [stated.end.year, stated.end.month, stated.end.day][:parts]]

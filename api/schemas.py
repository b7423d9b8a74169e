"""The JSON shapes of the HTTP API (and of `archive search --json`)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.citation import cite_hit
from archive.access import Visibility
from archive.ids import MAX_ID
from archive.models import AuditEvent, Document, Passage
from indexing.dates import period
from indexing.jobs import duplicate_reason, job_warnings
from indexing.page_span import page_label, pages_of
from language.scripts import guess_language
from search.alerts import SavedSearchInfo
from search.highlight import Highlighter, best_sentence_span
from search.language_balance import answer_languages
from search.persons import PersonDetail
from search.quotes import MAX_MATCHES, MAX_QUOTE_CHARS, QuoteMatch
from search.request import SearchQuery
from search.searcher import SearchHit, SearchPage
from search.timeline import TimelineEntry, newest_first, timeline


class DocumentRef(BaseModel):
    id: int
    title: str
    source: str
    publisher: str | None
    published: str | None = Field(
        description="ISO 8601 at the precision the source states: 2020-02-14, 2020-02, 2020, or an interval START/END"
    )
    language: str | None

    @classmethod
    def of(cls, document: Document) -> DocumentRef:
        stated = period(document.published, document.published_end)
        return cls(
            id=document.id,
            title=document.title,
            source=document.source,
            publisher=document.publisher,
            published=stated.iso if stated else None,
            language=document.language,
        )


class DocumentPublic(DocumentRef):
    kind: str | None
    authors: list[str]
    url: str | None  # where the source was published, when it says so
    page_count: int | None
    sha256: str
    created_at: datetime
    passages: int
    visibility: str  # public, internal or restricted
    warnings: list[str] = Field(description='What could not be read, e.g. "pages 2–3 could not be read"')
    format: str | None = Field(default=None, description="pdf, text, html, mhtml, docx, odt, eml, mbox, msg or image")
    properties: dict[str, str] = Field(
        default_factory=dict, description="what the format states beyond the rest: an e-mail's from, to, cc, date"
    )

    @classmethod
    def of_with_count(cls, document: Document, passages: int) -> DocumentPublic:
        return cls(
            **DocumentRef.of(document).model_dump(),
            kind=document.kind,
            authors=[name for name in (document.authors or "").split("; ") if name],
            url=document.url,
            page_count=document.page_count,
            sha256=document.sha256,
            created_at=document.created_at,
            passages=passages,
            visibility=document.visibility,
            warnings=(document.warnings or "").splitlines(),
            format=document.format,
            properties=_properties(document.properties),
        )


def _properties(stored: str | None) -> dict[str, str]:
    try:
        found = json.loads(stored) if stored else {}
    except ValueError:
        return {}
    return {str(key): str(value) for key, value in found.items()} if isinstance(found, dict) else {}


class AttachmentPublic(BaseModel):
    """A file found inside a document's file (an e-mail's attachment, a mailbox's message) and what became of it."""

    filename: str
    state: str  # queued | running | indexed | duplicate | failed
    reason: str | None
    document_id: int | None  # the document it is (null until indexed, or when it failed)
    title: str | None


class DocumentDetail(DocumentPublic):
    """One document with its family: the files found inside it, and the documents whose files held it."""

    attachments: list[AttachmentPublic] = Field(default_factory=list)
    attached_to: list[DocumentRef] = Field(default_factory=list)


class AccessChange(BaseModel):
    """Who may read a document: either field may be left out to keep it."""

    visibility: Visibility | None = None
    groups: list[Annotated[str, StringConstraints(max_length=100)]] | None = Field(default=None, max_length=50)


class DocumentAccess(BaseModel):
    id: int
    visibility: str
    groups: list[str]


class AuditEventPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target_kind: str | None
    target_id: str | None
    detail: str | None

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventPublic:
        return cls.model_validate(event, from_attributes=True)


class AuditList(BaseModel):
    events: list[AuditEventPublic]


class DocumentList(BaseModel):
    documents: list[DocumentPublic]
    total: int


class DocumentText(BaseModel):
    text: str


class Citation(BaseModel):
    page: int | None  # 1-based; null for plain text. The first page when the span runs on across a page break
    page_end: int | None = Field(
        default=None,
        description="The last page of the span (equal to page unless a "
        "sentence runs on across a page break); null for plain text",
    )
    char_start: int
    char_end: int

    @classmethod
    def of(cls, passage: Passage, char_start: int | None = None, char_end: int | None = None) -> Citation:
        """The citation of the passage, or of the span [char_start, char_end) inside it."""
        start = passage.char_start if char_start is None else char_start
        end = passage.char_end if char_end is None else char_end
        first, last = pages_of(passage, start, end)
        return cls(page=first, page_end=last, char_start=start, char_end=end)

    @property
    def pages(self) -> str | None:
        """ "12" or "12–13", for people to read."""
        return page_label(self.page, self.page_end)


class PersonRef(BaseModel):
    id: int
    name: str


class PassagePublic(BaseModel):
    id: int
    ordinal: int
    text: str
    document: DocumentRef
    citation: Citation
    ocr: bool


class Highlight(BaseModel):
    """The sentence that best answers the query, as offsets inside the result's `text` (not the document)."""

    char_start: int
    char_end: int


class SearchResult(BaseModel):
    rank: int
    score: float
    passage_id: int
    text: str
    language: str | None = Field(description="The passage's language by its letters: en, ru or kk")
    document: DocumentRef
    citation: Citation
    persons: list[PersonRef]
    highlight: Highlight
    cite: str | None = Field(
        default=None,
        description="The citation of the highlighted sentence as people copy it: “quote” — title, publisher, date, "
        "page, characters, and the link to the reading view at that span",
    )

    @classmethod
    def of(cls, hit: SearchHit, highlight: tuple[int, int], base_url: str | None = None) -> SearchResult:
        """`base_url` (the archive's public address) adds the citation text."""
        return cls(
            rank=hit.rank,
            score=round(hit.score, 6),
            passage_id=hit.passage.id,
            text=hit.text,
            language=hit.language,
            document=DocumentRef.of(hit.document),
            citation=Citation.of(hit.passage, hit.char_start, hit.char_end),
            persons=[PersonRef(id=p.id, name=p.name) for p in hit.persons],
            highlight=Highlight(char_start=highlight[0], char_end=highlight[1]),
            cite=cite_hit(hit, highlight, base_url) if base_url is not None else None,
        )


NO_MATCH = "nothing in the archive answers this query well enough"


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]
    notice: str | None = Field(default=None, description="Why there are no results, when there are none")
    total: int | None = Field(default=None, description="How many results the query has over all pages")
    offset: int = Field(default=0, description="How many results come before this page")
    query_language: str | None = Field(default=None, description="The query's language by its letters: en, ru or kk")
    languages_note: str | None = Field(
        default=None, description="Said when results are in other languages than the query's"
    )
    undated_excluded: int = Field(
        default=0,
        description="Undated documents a date filter left out (that the other filters keep); undated=include "
        "brings them in",
    )

    @classmethod
    def of(
        cls,
        query: str,
        hits: list[SearchHit],
        highlighter: Highlighter | None = None,
        *,
        total: int | None = None,
        offset: int = 0,
        undated_excluded: int = 0,
        base_url: str | None = None,
    ) -> SearchResponse:
        """Without a highlighter (embedder-assisted), the highlights are chosen by lexical overlap alone; with
        `base_url` every result carries its citation text."""
        texts = [hit.text for hit in hits]
        spans = highlighter.spans(query, texts) if highlighter else [best_sentence_span(t, query) for t in texts]
        results = [SearchResult.of(hit, span, base_url) for hit, span in zip(hits, spans)]
        notice = None if results or (total or 0) > offset else NO_MATCH
        return cls(
            query=query,
            results=results,
            notice=notice,
            total=total,
            offset=offset,
            query_language=guess_language(query, min_letters=1),
            languages_note=answer_languages(query, [hit.language for hit in hits]),
            undated_excluded=undated_excluded,
        )

    @classmethod
    def of_page(
        cls, query: str, page: SearchPage, highlighter: Highlighter | None = None, base_url: str | None = None
    ) -> SearchResponse:
        return cls.of(
            query,
            page.hits,
            highlighter,
            total=page.total,
            offset=page.offset,
            undated_excluded=page.undated_excluded,
            base_url=base_url,
        )


class EmbedderInfo(BaseModel):
    backend: str
    model: str
    dim: int


class Health(BaseModel):
    status: str
    documents: int
    passages: int
    lexical_rows: (
        int | None
    )  # rows of the lexical index (FTS5 or PostgreSQL); null for a caller who may not see every document
    index_vectors: int | None  # null for a caller who may not see every document
    index_kind: str
    embedder: EmbedderInfo


class JobPublic(BaseModel):
    id: int
    state: str  # queued | running | indexed | duplicate | failed
    reason: str | None
    document_id: int | None
    filename: str
    parent_job_id: int | None = None  # the job whose file held this one (an attachment, a mailbox's message)
    warnings: list[str] = Field(default_factory=list)  # what of the file could not be read, named

    @classmethod
    def of(cls, job, document_readable: bool = True) -> JobPublic:
        """The job as a caller sees it: a duplicate of a document they may not read does not name it."""
        if not document_readable:
            reason = duplicate_reason(None) if job.state.value == "duplicate" else None
            return cls(
                id=job.id, state=job.state.value, reason=reason, document_id=None, filename=job.filename, warnings=[]
            )
        return cls(
            id=job.id,
            state=job.state.value,
            reason=job.reason,
            document_id=job.document_id,
            filename=job.filename,
            parent_job_id=job.parent_job_id,
            warnings=job_warnings(job),
        )


class JobAccepted(BaseModel):
    job_id: int
    state: str


class JobProgressPublic(BaseModel):
    job_id: int
    pages: int  # PDF pages read so far
    passages: int  # passages embedded so far
    percent: float  # of its characters embedded (0 until the file is read)
    eta_s: float | None  # until it is done: the characters left before and in it, at the batch's rate


class BatchProgressPublic(BaseModel):
    done: int
    total: int
    pages: int = 0  # PDF pages parsed in the batch (files in progress included)
    passages: int
    passages_per_s: float
    characters_per_s: float = 0.0  # characters embedded per second of the batch (every stage included)
    characters_left: int = 0  # still to embed (estimated from their size for files not read yet)
    elapsed_s: float
    eta_s: float | None  # characters left at the measured rate
    current: str | None = None  # what the worker is doing now, e.g. "embedding report.pdf: 12,000/45,000 characters"
    percent: float | None = None  # of the batch's characters embedded (None: nothing to embed)
    jobs: list[JobProgressPublic] = Field(default_factory=list)  # each unfinished job, in the order of processing


class JobList(BaseModel):
    jobs: list[JobPublic]
    counts: dict[str, int]  # jobs per state, over the whole archive
    progress: BatchProgressPublic  # the batch the server's worker is processing (or processed last)


class PersonPublic(BaseModel):
    id: int
    name: str
    aliases: list[str]
    mentions: int  # passages that mention the person


class PersonList(BaseModel):
    total: int  # people in the whole list (every page gives the same)
    offset: int
    persons: list[PersonPublic]


class PersonJudgement(BaseModel):
    """Where an editor's decision leaves a record."""

    id: int
    name: str
    not_a_person: bool


class PersonMerge(BaseModel):
    into: int = Field(ge=1, le=MAX_ID, description="The person this record is folded into (that record stays)")


class PersonPassage(BaseModel):
    passage_id: int
    text: str
    document: DocumentRef
    citation: Citation


class TimelineEntryPublic(BaseModel):
    """A dated event: the date at the precision the text states it, and the sentence that states it."""

    date: str = Field(description="ISO 8601 as precise as stated: 2019-06-09, 2019-06, 2019 or START/END")
    label: str
    precision: str  # day | month | year
    document: DocumentRef
    passage_id: int | None = Field(description="null for the document's own date")
    text: str  # the sentence (== document text[char_start:char_end]), or the document's title for its own date
    char_start: int
    char_end: int

    @classmethod
    def of(cls, entry: TimelineEntry) -> TimelineEntryPublic:
        return cls(
            date=entry.date.iso,
            label=entry.date.label(),
            precision=entry.date.precision,
            document=DocumentRef.of(entry.document),
            passage_id=entry.passage.id if entry.passage else None,
            text=entry.text,
            char_start=entry.char_start,
            char_end=entry.char_end,
        )


class PersonDetailPublic(PersonPublic):
    not_a_person: bool  # an editor judged the record not a person: it is in no list, filter or passage's tags
    documents: list[DocumentRef]  # newest first
    passages: list[PersonPassage]
    timeline: list[TimelineEntryPublic]  # oldest first

    @classmethod
    def of(cls, detail: PersonDetail) -> PersonDetailPublic:
        return cls(
            **asdict(detail.summary),
            not_a_person=detail.not_a_person,
            documents=[DocumentRef.of(d) for d in newest_first(detail.documents)],
            timeline=[TimelineEntryPublic.of(entry) for entry in timeline(detail.passages)],
            passages=[
                PersonPassage(passage_id=p.id, text=p.text, document=DocumentRef.of(d), citation=Citation.of(p))
                for p, d in detail.passages
            ],
        )


class QuoteCheckRequest(BaseModel):
    quote: str = Field(min_length=1, max_length=MAX_QUOTE_CHARS, description="The quote to check, in any language")
    k: int = Field(default=3, ge=1, le=MAX_MATCHES, description="At most this many matches")


class QuoteDiff(BaseModel):
    op: str  # equal | replace | insert | delete, from the quote's words to the original's
    quote: str
    original: str


class QuoteMatchPublic(BaseModel):
    verdict: str  # exact | cosmetic | altered | truncated | translation | paraphrase
    similarity: float
    passage_id: int
    document: DocumentRef
    citation: Citation  # the matched span itself: original == document text[char_start:char_end]
    original: str
    diff: list[QuoteDiff]
    explanation: str  # the verdict in a sentence, e.g. "translation, with a different number: ..."

    @classmethod
    def of(cls, match: QuoteMatch) -> QuoteMatchPublic:
        return cls(
            verdict=match.verdict.value,
            similarity=match.similarity,
            passage_id=match.passage.id,
            document=DocumentRef.of(match.document),
            citation=Citation.of(match.passage, match.char_start, match.char_end),
            original=match.original,
            diff=[QuoteDiff(op=d.op, quote=d.quote, original=d.original) for d in match.diff],
            explanation=match.explanation,
        )


class QuoteCheckResponse(BaseModel):
    quote: str
    matches: list[QuoteMatchPublic]  # best first; empty when nothing in the archive resembles the quote

    @classmethod
    def of(cls, quote: str, matches: list[QuoteMatch]) -> QuoteCheckResponse:
        return cls(quote=quote, matches=[QuoteMatchPublic.of(m) for m in matches])


class SavedSearchRequest(SearchQuery):
    """A search to follow: its query and the filters of `GET /search` (any may be left out)."""


class SavedSearchCreated(BaseModel):
    id: int
    feed_url: str = Field(description="The Atom feed of the new matches; its token is shown only now")


class SavedSearchPublic(BaseModel):
    id: int
    q: str
    filters: dict[str, str]
    created_at: datetime
    new: int = Field(description="Matches not yet marked as seen, among the documents the caller may read now")

    @classmethod
    def of(cls, info: SavedSearchInfo) -> SavedSearchPublic:
        saved = info.search
        return cls(id=saved.id, q=saved.query, filters=info.filters, created_at=saved.created_at, new=info.new)


class SavedSearchList(BaseModel):
    saved_searches: list[SavedSearchPublic]


class SavedSearchResults(BaseModel):
    """New passages that answer a saved search, shaped like the results of `GET /search`."""

    id: int
    query: str
    results: list[SearchResult]
    total: int = Field(description="How many such results there are over all pages")
    offset: int = 0

"""HTML pages: `/` (search), `/check` (quote check), `/read/{id}` (document view), `/people`, `/people/{id}`, `/ingest`.

Everything is rendered on the server from the same searcher and storage functions the JSON API uses, so a shared
URL shows the same results without JavaScript. Text from documents only ever reaches the page through Jinja2's
autoescaping: a highlighted quote is passed as separate pieces (before / marked / after), never as markup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select
from starlette.datastructures import FormData, UploadFile

from api.auth import CallerDep, caller_from_key, require_editor
from api.citation import Span, cite, cite_hit, marked_span
from api.deps import ServicesDep
from api.links import path_for, public_base
from api.params import DocumentIdPath, PassageIdQuery, PersonIdPath, form_number
from api.rendering import TEMPLATES
from api.routes.documents import document_detail, read_upload_form, submit_upload
from api.routes.jobs import job_list
from api.schemas import JobList
from api.services import Services
from archive import storage
from archive.access import ANONYMOUS, Caller, readable_document, readable_passage, visible_condition
from archive.errors import ArchiveError, InvalidInputError, NotFoundError
from archive.ids import MAX_ID, Digits
from archive.models import Document, Mention, Passage, row_id
from indexing.jobs import original_file
from indexing.page_span import page_label, pages_of
from language.scripts import LANGUAGES
from search.filters import SearchFilters, document_kinds
from search.highlight import highlighter_for, marked_sentences
from search.language_balance import answer_languages
from search.persons import get_person, list_persons
from search.quotes import MAX_MATCHES, MAX_QUOTE_CHARS, QuoteMatch
from search.request import FILTERS, SearchRequest
from search.searcher import MAX_OFFSET, MAX_QUERY_CHARS, SearchHit
from search.timeline import newest_first, timeline

FORM_FIELDS = ("q", *FILTERS, "k", "page")  # the search request's fields a form carries (pages, not offsets)
EXAMPLES = (
    ("en", "What is a colony settlement?"),
    ("ru", "Какой срок получил Ербол Есхожин?"),
    ("kk", "Колония-қоныс дегеніміз не?"),
)

router = APIRouter(include_in_schema=False)

# A document offset in a reading-view link: where the cited span starts or ends.
SpanEdgeQuery = Annotated[int | None, Ge(0), Le(MAX_ID), Digits, Query(description="A document offset")]


@dataclass(frozen=True)
class Piece:
    """A run of text to print escaped; `kind` is "text", "mark" (highlighted) or "page" (a page-break marker)."""

    kind: str
    text: str = ""
    page: int | None = None


def pieces(text: str, spans: Sequence[Span], offset: int = 0) -> list[Piece]:
    """`text` cut into plain and marked pieces; spans are offsets into text (after subtracting `offset`)."""
    out: list[Piece] = []
    position = 0
    for start, end in sorted((max(0, s - offset), min(len(text), e - offset)) for s, e in spans):
        if end <= start or start < position:
            continue
        if start > position:
            out.append(Piece("text", text[position:start]))
        out.append(Piece("mark", text[start:end]))
        position = end
    if position < len(text):
        out.append(Piece("text", text[position:]))
    return out


def _page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def _error(request: Request, error: ArchiveError, title: str) -> HTMLResponse:
    return _page(request, "error.html", error.status, title=title, message=str(error))


def _read_url(
    request: Request,
    document_id: int,
    passage_id: int | None = None,
    q: str | None = None,
    span: Span | None = None,
) -> str:
    """A link to the document view (at a passage and the span cited in it, with the query's matches)."""
    url = path_for(request, "read_document", document_id=document_id)
    params = {key: value for key, value in (("passage", passage_id), ("q", q)) if value is not None}
    if span is not None:
        params.update(start=span[0], end=span[1])
    url = url.include_query_params(**params) if params else url
    return f"{url}#passage-{passage_id}" if passage_id is not None else str(url)


def _results(request: Request, query: str, hits: list[SearchHit], spans: list[Span]) -> list[dict]:
    results = []
    base = public_base(request)
    for hit, span in zip(hits, spans, strict=True):
        passage, document = hit.passage, hit.document
        results.append(
            {
                "rank": hit.rank,
                "passage_id": passage.id,
                "pieces": pieces(hit.text, [span]),
                "document": document,
                "page": page_label(*pages_of(passage, hit.char_start, hit.char_end)),
                "persons": hit.persons,
                "language": hit.language,
                "read_url": _read_url(request, row_id(document), passage.id, query, marked_span(hit, span)),
                "citation": cite_hit(hit, span, base),
            }
        )
    return results


def _pager(request: Request, asked: SearchRequest, total: int | None) -> dict:
    """Links to the previous, next and numbered pages of k results (the URL keeps query and filters)."""
    base = path_for(request, "search_page")
    k = asked.k
    pages = max(1, -(-min(total or 0, MAX_OFFSET + k) // k))
    current = asked.page_number

    def link(number: int) -> str:
        params = asked.params(page=number if number > 1 else None)
        params.pop("offset", None)
        return str(base.include_query_params(**params))

    return {
        "current": current,
        "pages": pages,
        "previous": link(current - 1) if current > 1 else None,
        "next": link(current + 1) if current < pages else None,
        "numbered": [(n, link(n)) for n in range(max(1, current - 3), min(pages, current + 3) + 1)],
    }


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, services: ServicesDep, caller: CallerDep) -> HTMLResponse:
    """The search page; with `q`, its results rendered on the server (the URL is the shareable state). Its fields
    are those of `GET /search` (search.request.SearchRequest), read as a form: an empty field is not set."""
    form = {name: " ".join(request.query_params.get(name, "").split())[:MAX_QUERY_CHARS] for name in FORM_FIELDS}
    context: dict = {**form, "form": form, "examples": EXAMPLES, "results": None, "scope": None, "languages": LANGUAGES}
    with Session(services.engine) as session:
        visible = visible_condition(caller)
        context["documents"] = storage.list_documents(session, limit=100, where=visible)
        context["kinds"] = document_kinds(session, visible)
    context["filtered"] = any(form[name] for name in FILTERS)
    try:
        document_id = form_number(form["document_id"], "document_id")
        if document_id is not None:  # the document searched in is named even before anything is asked
            with Session(services.engine) as session:
                context["scope"] = readable_document(session, caller, document_id, "search in")
        if form["q"]:
            asked = SearchRequest.parse(form)
            found = asked.run(services.searcher, caller)
            spans = marked_sentences(services.embedder, asked.q, found.hits)
            context["results"] = _results(request, asked.q, found.hits, spans)
            context["undated_excluded"] = found.undated_excluded
            context["undated_links"] = {  # the same search, from its first page, with undated documents or without
                choice: str(
                    path_for(request, "search_page").include_query_params(
                        **asked.params(undated=value, page=None, offset=None)
                    )
                )
                for choice, value in (("include", "include"), ("exclude", None))
            }
            context["languages_note"] = answer_languages(asked.q, [hit.language for hit in found.hits])
            context["follow"] = {"q": asked.q, **asked.filters(caller).as_params()}
            context["total"], context["offset"] = found.total, asked.start
            context["pager"] = _pager(request, asked, found.total)
            context["exports"] = [
                (label, str(path_for(request, "export_search").include_query_params(**_export_params(asked, fmt))))
                for label, fmt in (("CSV", "csv"), ("JSON", "json"), ("RIS", "ris"), ("CSL-JSON", "csl-json"))
            ]
    except ArchiveError as error:
        context["error"] = str(error)
        return _page(request, "search.html", error.status, **context)
    return _page(request, "search.html", **context)


def _export_params(asked: SearchRequest, fmt: str) -> dict[str, str]:
    """The export of exactly the page shown: its query, filters, k and offset."""
    params = asked.params(k=asked.k, offset=asked.start, format=fmt)
    params.pop("page", None)
    return params


DEFAULT_QUOTE_MATCHES = 3


def _quote_matches(request: Request, matches: list[QuoteMatch]) -> list[dict]:
    results = []
    base = public_base(request)
    for match in matches:
        document, passage = match.document, match.passage
        span = (match.char_start, match.char_end)
        results.append(
            {
                "match": match,
                "document": document,
                "page": page_label(*pages_of(passage, *span)),
                "read_url": _read_url(request, row_id(document), passage.id, span=span),
                "changes": [d for d in match.diff if d.op != "equal"],
                "citation": cite(document, passage, span, base),  # the original wording, cited
            }
        )
    return results


@router.get("/check", response_class=HTMLResponse)
def check_page(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    quote: Annotated[str, Query(max_length=MAX_QUOTE_CHARS)] = "",
    k: Annotated[str | None, Query(max_length=4)] = None,
) -> HTMLResponse:
    """Paste a quote: where the archive says it, in which words, what differs (the URL is the shareable state)."""
    quote = quote.strip()
    context: dict = {"quote": quote, "k": k or "", "results": None, "title": "Check a quote"}
    try:
        number = form_number(k, "k", high=MAX_MATCHES) or DEFAULT_QUOTE_MATCHES
        if quote:
            context["results"] = _quote_matches(
                request, services.quotes.check(quote, k=number, filters=SearchFilters(caller=caller))
            )
    except ArchiveError as error:
        context["error"] = str(error)
        return _page(request, "check.html", error.status, **context)
    return _page(request, "check.html", **context)


def _page_breaks(session: Session, document: Document) -> list[tuple[int, int]]:
    """(offset, page number) where each PDF page starts, from the first passage on that page."""
    if not document.page_count:
        return []
    rows = session.exec(
        select(Passage.char_start, Passage.page_start)
        .where(Passage.document_id == document.id, col(Passage.page_start).is_not(None))
        .order_by(col(Passage.char_start))
    ).all()
    breaks: dict[int, int] = {}
    for start, page in rows:
        assert page is not None  # filtered out by the query
        breaks.setdefault(page, start)
    return sorted((start, page) for page, start in breaks.items())


def _with_page_breaks(text: str, offset: int, breaks: list[tuple[int, int]]) -> list[Piece]:
    """Plain pieces of text (starting at document offset `offset`) with page markers where pages begin."""
    out: list[Piece] = []
    position = 0
    for start, page in breaks:
        cut = start - offset
        if position <= cut <= len(text):
            if cut > position:
                out.append(Piece("text", text[position:cut]))
            out.append(Piece("page", page=page))
            position = cut
    if position < len(text):
        out.append(Piece("text", text[position:]))
    return out


@router.get("/read/{document_id}", response_class=HTMLResponse, name="read_document")
def read_document(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    document_id: DocumentIdPath,
    passage: PassageIdQuery = None,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)] = None,
    start: SpanEdgeQuery = None,
    end: SpanEdgeQuery = None,
) -> HTMLResponse:
    """The whole document, the cited passage marked (`<mark id="passage-ID">`) and scrolled to; the cited span
    (`start`, `end`: document offsets inside the passage, as every citation's link carries them) or else the
    sentence that best answers `q` in bold."""
    try:
        with Session(services.engine) as session:
            document = readable_document(session, caller, document_id)
            cited = readable_passage(session, caller, passage)[0] if passage is not None else None
            if cited is not None and cited.document_id != document.id:
                raise InvalidInputError(
                    f"passage {cited.id} belongs to document {cited.document_id}, not {document.id}"
                )
            span = _cited_span(cited, start, end)
            breaks = _page_breaks(session, document)
            has_file = _has_original(session, row_id(document))
            family = document_detail(session, caller, document)
        matches = _matches_in(services, caller, row_id(document), q) if q and q.strip() else []
    except ArchiveError as error:
        return _error(request, error, "Document not found")
    text = document.text
    if cited is None:
        before, inside, after = _with_page_breaks(text, 0, breaks), [], []
    else:
        before = _with_page_breaks(text[: cited.char_start], 0, breaks)
        if span is None and q and q.strip():
            answer = highlighter_for(services.embedder).span(q, cited.text)
            span = (cited.char_start + answer[0], cited.char_start + answer[1])
        inside = pieces(cited.text, [span] if span else [], offset=cited.char_start)
        after = _with_page_breaks(
            text[cited.char_end :], cited.char_end, [b for b in breaks if b[0] > cited.char_start]
        )
    cited_span = span or ((cited.char_start, cited.char_end) if cited else None)
    return _page(
        request,
        "read.html",
        title=document.title,
        document=document,
        passage=cited,
        cited_span=cited_span,
        cited_pages=page_label(*pages_of(cited, *cited_span)) if cited and cited_span else None,
        before=before,
        inside=inside,
        after=after,
        q=q or "",
        matches=_match_links(request, row_id(document), matches, cited, q),
        file_url=_file_url(request, document, cited) if has_file else None,
        family=family,
        citation=cite(document, cited, cited_span, public_base(request)) if cited and cited_span else None,
    )


def _cited_span(cited: Passage | None, start: int | None, end: int | None) -> Span | None:
    """The span a link cites, checked to lie inside its passage; None when the link names none."""
    if start is None and end is None:
        return None
    if cited is None or start is None or end is None or not cited.char_start <= start < end <= cited.char_end:
        raise InvalidInputError("start and end must give a span inside the cited passage")
    return start, end


MAX_MATCHES_IN_DOCUMENT = 50


def _matches_in(services, caller: Caller, document_id: int, q: str) -> list[Passage]:
    """The passages of one document that answer `q`, best first: the order the search page lists them in, so the
    document's best match, the one its first result opens, is match 1."""
    filters = SearchFilters(document_id=document_id, caller=caller)
    return [hit.passage for hit in services.searcher.search(q, k=MAX_MATCHES_IN_DOCUMENT, filters=filters)]


def _match_links(
    request: Request, document_id: int, matches: list[Passage], cited: Passage | None, q: str | None
) -> dict:
    """Where the cited passage stands among the document's matches (best first), with links to the matches ranked
    just above and below it. A cited passage the document's own search does not rank is counted as the first."""
    if cited is not None and cited.id not in {passage.id for passage in matches}:
        matches = [cited, *matches]
    if not matches:
        return {}
    index = [passage.id for passage in matches].index(cited.id) if cited is not None else None
    previous = matches[index - 1] if index else None
    next_at = 0 if index is None else index + 1  # without a cited passage, "next" is the best match
    following = matches[next_at] if next_at < len(matches) else None
    return {
        "count": len(matches),
        "position": None if index is None else index + 1,
        "previous": _read_url(request, document_id, previous.id, q) if previous else None,
        "next": _read_url(request, document_id, following.id, q) if following else None,
    }


def _has_original(session: Session, document_id: int) -> bool:
    try:
        original_file(session, document_id)
    except NotFoundError:
        return False
    return True


def _file_url(request: Request, document: Document, cited: Passage | None) -> str:
    """The original file; a PDF opens at the cited page."""
    url = str(path_for(request, "document_file", document_id=document.id))
    return f"{url}#page={cited.page_start}" if cited is not None and cited.page_start is not None else url


PEOPLE_PER_PAGE = 100
CURATION_DONE = {  # what the person page says after an editor's correction (api/web/curation.py)
    "not-a-person": "Marked as not a person. It has left the people list, the person filter and the passages' tags.",
    "a-person": "Marked as a person again.",
    "merged": "The other record was merged into this one.",
}


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """Everyone in the archive (the most mentioned first, or by name), or those whose names match `q` in any
    script; a page of `PEOPLE_PER_PAGE` at a time, with links to its neighbours."""
    try:
        number = form_number(page, "page") or 1
        with Session(services.engine) as session:
            found = list_persons(
                session,
                q.strip() or None,
                offset=(number - 1) * PEOPLE_PER_PAGE,
                limit=PEOPLE_PER_PAGE,
                sort=sort or None,
                caller=caller,
            )
    except ArchiveError as error:
        return _error(request, error, "People")
    pages = max(1, -(-found.total // PEOPLE_PER_PAGE))

    def link(to: int) -> str:
        params = {"q": q.strip(), "sort": sort, "page": str(to) if to > 1 else ""}
        return str(path_for(request, "people_page").include_query_params(**{k: v for k, v in params.items() if v}))

    return _page(
        request,
        "people.html",
        title="People",
        q=q,
        sort=sort,
        found=found,
        first=found.offset + 1,
        last=found.offset + len(found.persons),
        previous=link(number - 1) if number > 1 else None,
        next=link(number + 1) if number < pages else None,
        numbered=[(n, link(n)) for n in range(max(1, number - 3), min(pages, number + 3) + 1)],
        number=number,
        pages=pages,
    )


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, services: ServicesDep, caller: CallerDep, person_id: PersonIdPath) -> HTMLResponse:
    """A person: name, aliases and every passage that mentions them, grouped by document."""
    try:
        with Session(services.engine) as session:
            detail = get_person(session, person_id, caller)
            passage_ids = [p.id for p, _ in detail.passages]
            mentions: dict[int, list[Span]] = defaultdict(list)
            for passage_id, start, end in session.exec(
                select(Mention.passage_id, Mention.char_start, Mention.char_end).where(
                    Mention.person_id == person_id, col(Mention.passage_id).in_(passage_ids)
                )
            ).all():
                mentions[passage_id].append((start, end))
    except ArchiveError as error:
        return _error(request, error, "Person not found")
    groups: dict[int, dict] = {
        row_id(document): {"document": document, "passages": []} for document in newest_first(detail.documents)
    }
    for passage, document in detail.passages:
        group = groups.setdefault(row_id(document), {"document": document, "passages": []})
        group["passages"].append(
            {
                "id": passage.id,
                "page": page_label(*pages_of(passage)),
                "pieces": pieces(passage.text, mentions.get(row_id(passage), []), offset=passage.char_start),
                "read_url": _read_url(request, row_id(document), passage.id),
            }
        )
    events = [
        {
            "date": entry.date,
            "document": entry.document,
            "pieces": pieces(entry.text, [(entry.date_start, entry.date_end)], offset=entry.char_start)
            if entry.passage
            else [],
            "read_url": _read_url(request, row_id(entry.document), entry.passage.id if entry.passage else None),
            "page": entry.passage.page_start if entry.passage else None,
        }
        for entry in timeline(detail.passages)
    ]
    return _page(
        request,
        "person.html",
        title=detail.summary.name,
        person=detail.summary,
        not_a_person=detail.not_a_person,
        done=CURATION_DONE.get(request.query_params.get("done", "")),
        groups=[group for group in groups.values() if group["passages"]],
        events=events,
    )


INGEST_FILES = 20  # files one upload from the page may hold (each under the size limit)
INGEST_JOBS_SHOWN = 50


@router.get("/ingest", response_class=HTMLResponse)
def ingest_page(request: Request, services: ServicesDep, caller: CallerDep) -> HTMLResponse:
    """For editors: upload files with what they state (title, date, ...) and follow their jobs. The page itself
    shows no jobs: its script lists them (`GET /jobs`, every few seconds) with the key the browser supplies, and
    without JavaScript the form's "Show jobs" posts the key to `POST /ingest`."""
    return _ingest(request, services, caller)


@router.post("/ingest", response_class=HTMLResponse, name="ingest_submit")
async def ingest_submit(request: Request, services: ServicesDep) -> HTMLResponse:
    """The ingest form without JavaScript: the key in the form shows the editor's jobs with their progress, and
    "Upload" also submits the chosen files as `POST /documents` does (the same checks)."""
    try:
        form = await read_upload_form(request, services, max_files=INGEST_FILES)
    except HTTPException as error:
        return _ingest(request, services, ANONYMOUS, message=str(error.detail), status_code=error.status_code)
    caller = ANONYMOUS
    try:
        key = form.get("key")
        key = key.strip() if isinstance(key, str) else ""
        if not key:
            raise HTTPException(401, NO_KEY)
        caller = require_editor(caller_from_key(request, services, key))
        uploads = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
        message = None
        if form.get("action") == "upload":
            if not uploads:
                raise InvalidInputError("choose at least one file")
            fields = _as_api_fields(form)
            for upload in uploads:
                await submit_upload(request, services, caller, fields, upload)
            message = f"{len(uploads)} file{'' if len(uploads) == 1 else 's'} queued."
        with Session(services.engine) as session:
            listed = job_list(request, session, caller, None, 0, MAX_JOBS_LISTED)
    except HTTPException as error:
        return _ingest(request, services, caller, message=str(error.detail), status_code=error.status_code)
    except ArchiveError as error:
        return _ingest(request, services, caller, message=str(error), status_code=error.status)
    finally:
        await form.close()
    response = _ingest(request, services, caller, message=message, listed=listed)
    response.headers["Cache-Control"] = "no-store"  # it lists the editor's jobs
    return response


def _as_api_fields(form: FormData) -> FormData:
    """The page's fields as `POST /documents` names them: its comma-separated groups as repeated `group` fields."""
    groups = form.get("groups")
    named = [(name, value) for name, value in form.multi_items() if name not in ("groups", "key", "action", "file")]
    split = [group.strip() for group in groups.split(",")] if isinstance(groups, str) else []
    return FormData(named + [("group", group) for group in split if group])


MAX_JOBS_LISTED = 1000
NO_KEY = "Enter your key (an editor's or an admin's) to upload files and to see their jobs."


def _ingest(
    request: Request,
    services: Services,
    caller: Caller,
    message: str | None = None,
    listed: JobList | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The ingest page; with `listed`, the newest jobs, each with its progress while it is queued or running."""
    rows = None
    if listed is not None:
        progress = {entry.job_id: entry for entry in listed.progress.jobs}
        newest = sorted(listed.jobs, key=lambda job: job.id, reverse=True)[:INGEST_JOBS_SHOWN]
        rows = [{"job": job, "progress": progress.get(job.id)} for job in newest]
    with Session(services.engine) as session:
        kinds = document_kinds(session, visible_condition(caller))
    return _page(
        request,
        "ingest.html",
        status_code,
        title="Add documents",
        message=message,
        rows=rows,
        batch=listed.progress if listed is not None else None,
        kinds=kinds,
        languages=LANGUAGES,
        max_files=INGEST_FILES,
    )


@router.get("/following", response_class=HTMLResponse)
def following_page(request: Request) -> HTMLResponse:
    """Saved searches and how many new results each has. The page itself shows none: its script lists them
    (`GET /saved-searches`) with the key the browser supplies."""
    return _page(request, "following.html", title="Following")

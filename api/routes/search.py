from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from annotated_types import Ge, Le
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.auth import CallerDep
from api.deps import ServicesDep
from api.export import EXTENSIONS, MEDIA_TYPES, ExportFormat, meta_of, render, rows_of
from api.links import public_base
from api.params import Digits, DocumentIdQuery
from api.responses import SEARCH
from api.schemas import SearchResponse
from search.filters import SearchFilters
from search.highlight import highlighter_for
from search.searcher import MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, SearchPage

router = APIRouter(tags=["search"])


@dataclass(frozen=True)
class SearchParams:
    q: str
    k: int
    offset: int
    filters: SearchFilters


def search_params(
    caller: CallerDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="A question or words, any language")],
    k: Annotated[int, Ge(1), Le(MAX_K), Digits, Query(description="How many results (per page)")] = 10,
    offset: Annotated[int, Ge(0), Le(MAX_OFFSET), Digits, Query(description="Skip this many results (paging)")] = 0,
    page: Annotated[
        int | None,
        Ge(1),
        Le(MAX_OFFSET + 1),
        Digits,
        Query(description="1-based page of k results; sets offset = (page - 1) * k"),
    ] = None,
    document_id: DocumentIdQuery = None,
    person: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Only passages that mention this person (id or name, any script); empty: no person filter",
        ),
    ] = None,
    language: Annotated[
        Literal["en", "ru", "kk"] | None, Query(description="Only passages in this language (as results report it)")
    ] = None,
    published_from: Annotated[
        date | None, Query(description="Only documents whose stated date reaches on or after this day")
    ] = None,
    published_to: Annotated[
        date | None, Query(description="Only documents whose stated date begins on or before")
    ] = None,
    kind: Annotated[
        str | None, Query(max_length=100, description="Only documents of this kind, e.g. news article")
    ] = None,
) -> SearchParams:
    filters = SearchFilters(
        document_id=document_id,
        person=(person or "").strip() or None,
        language=language,
        published_from=published_from,
        published_to=published_to,
        kind=kind,
        caller=caller,
    )
    return SearchParams(q=q, k=k, offset=(page - 1) * k if page is not None else offset, filters=filters)


SearchParamsDep = Annotated[SearchParams, Depends(search_params)]


def _run(services, params: SearchParams) -> SearchPage:
    return services.searcher.search_page(params.q, k=params.k, offset=params.offset, filters=params.filters)


@router.get("/search", response_model=SearchResponse, responses=SEARCH)
def search(
    services: ServicesDep,
    params: SearchParamsDep,
    highlight: Annotated[
        Literal["lexical", "semantic"],
        Query(description="How the answering sentence is chosen: by the query's words (fast) or also by meaning"),
    ] = "lexical",
) -> SearchResponse:
    """Passages that answer the query, best first, each an exact quote with its citation; filtered before the top-k."""
    page = _run(services, params)
    highlighter = (
        highlighter_for(services.embedder, [hit.passage for hit in page.hits]) if highlight == "semantic" else None
    )
    return SearchResponse.of_page(params.q, page, highlighter)


@router.get(
    "/search/export",
    response_class=Response,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}, **SEARCH},
)
def export_search(
    request: Request,
    services: ServicesDep,
    params: SearchParamsDep,
    format: Annotated[ExportFormat, Query(description="csv, json, ris or csl-json")] = ExportFormat.csv,
) -> Response:
    """The same results as `GET /search` as a file: each quote with its document, date, page, offsets and link back."""
    page = _run(services, params)
    body = render(rows_of(page, public_base(request)), format, params.q, meta_of(page, params.filters))
    filename = f"archive-search.{EXTENSIONS[format]}"
    return Response(
        body, media_type=MEDIA_TYPES[format], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )

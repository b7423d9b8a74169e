"""`GET /search` and `GET /search/export`: cited passages that answer a query, as JSON or as a file."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.auth import CallerDep
from api.deps import ServicesDep
from api.export import MEDIA_TYPES, ExportFormat, attachment_header, meta_of, render, rows_of
from api.links import public_base
from api.responses import SEARCH
from api.schemas import SearchResponse
from search.highlight import highlighter_for, marked_sentences
from search.request import SearchRequest

router = APIRouter(tags=["search"])


# The search as FastAPI reads it from the query string (the same model the page, the CLI and MCP parse).
SearchRequestQuery = Annotated[SearchRequest, Query()]


@router.get("/search", response_model=SearchResponse, responses=SEARCH)
def search(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    asked: SearchRequestQuery,
    highlight: Annotated[
        Literal["lexical", "semantic"],
        Query(description="How the answering sentence is chosen: by the query's words (fast) or also by meaning"),
    ] = "lexical",
) -> SearchResponse:
    """Passages that answer the query, best first, each an exact quote with its citation; filtered before the top-k."""
    page = asked.run(services.searcher, caller)
    highlighter = (
        highlighter_for(services.embedder, [hit.passage for hit in page.hits]) if highlight == "semantic" else None
    )
    return SearchResponse.of_page(asked.q, page, highlighter, base_url=public_base(request))


@router.get(
    "/search/export",
    response_class=Response,
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}, **SEARCH},
)
def export_search(
    request: Request,
    services: ServicesDep,
    caller: CallerDep,
    asked: SearchRequestQuery,
    format: Annotated[ExportFormat, Query(description="csv, json, ris or csl-json")] = ExportFormat.csv,
) -> Response:
    """The same results as `GET /search` as a file named after the query: each quote with its document, date, page,
    offsets, link back and citation (of the sentence the web page marks)."""
    page = asked.run(services.searcher, caller)
    rows = rows_of(page, public_base(request), marked_sentences(services.embedder, asked.q, page.hits))
    body = render(rows, format, asked.q, meta_of(page, asked.filters(caller)))
    return Response(
        body, media_type=MEDIA_TYPES[format], headers={"Content-Disposition": attachment_header(asked.q, format)}
    )

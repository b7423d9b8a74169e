from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import ServicesDep
from api.schemas import SearchResponse
from search.filters import SearchFilters
from search.highlight import highlighter_for
from search.searcher import MAX_K, MAX_QUERY_CHARS

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResponse)
def search(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="A question or words, any language")],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many results")] = 10,
    document_id: Annotated[int | None, Query(description="Only passages of this document")] = None,
    person: Annotated[
        str | None, Query(max_length=200, description="Only passages that mention this person (id or name, any script)")
    ] = None,
    language: Annotated[str | None, Query(max_length=8, description="Only documents in this language")] = None,
    published_from: Annotated[date | None, Query(description="Only documents published on or after")] = None,
    published_to: Annotated[date | None, Query(description="Only documents published on or before")] = None,
    highlight: Annotated[
        Literal["lexical", "semantic"],
        Query(description="How the answering sentence is chosen: by the query's words (fast) or also by meaning"),
    ] = "lexical",
) -> SearchResponse:
    """Passages that answer the query, best first, each an exact quote with its citation."""
    filters = SearchFilters(
        document_id=document_id,
        person=person,
        language=language,
        published_from=published_from,
        published_to=published_to,
    )
    hits = services.searcher.search(q, k=k, filters=filters)
    highlighter = highlighter_for(services.embedder, [hit.passage for hit in hits]) if highlight == "semantic" else None
    return SearchResponse.of(q, hits, highlighter)

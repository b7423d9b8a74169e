"""Saved searches: follow a query and its filters, read what new documents bring, in JSON or as an Atom feed."""

from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, Path, Query, Request, Response

from api.auth import UserCallerDep
from api.deps import SessionDep
from api.feeds import MEDIA_TYPE, atom_feed
from api.links import public_base
from api.params import Digits, Limit, Offset
from api.responses import NOT_FOUND, responses
from api.schemas import (
    SavedSearchCreated,
    SavedSearchList,
    SavedSearchPublic,
    SavedSearchRequest,
    SavedSearchResults,
    SearchResponse,
)
from archive.ids import MAX_ID
from archive.models import row_id
from search.alerts import (
    delete_search,
    feed_search,
    list_searches,
    mark_seen,
    matches,
    owned_search,
    save_search,
)

router = APIRouter(prefix="/saved-searches", tags=["saved searches"])

SavedSearchIdPath = Annotated[int, Ge(1), Le(MAX_ID), Digits, Path(description="A saved search's id")]
FEED_ENTRIES = 50


def _feed_url(request: Request, search_id: int, token: str) -> str:
    return f"{public_base(request)}/saved-searches/{search_id}/feed?token={token}"


@router.post("", status_code=201, response_model=SavedSearchCreated, responses=responses(400, 401, 403, 404))
def create_saved_search(
    request: Request, session: SessionDep, caller: UserCallerDep, body: SavedSearchRequest
) -> SavedSearchCreated:
    """Follow a search (signed-in users): passages that documents ingested from now on add and that answer it
    are recorded after each ingest batch. The answer's `feed_url` (an Atom feed with a secret token) is shown once."""
    filters = body.filters(caller)
    saved, token = save_search(session, caller, body.q, filters)
    session.commit()
    return SavedSearchCreated(id=row_id(saved), feed_url=_feed_url(request, row_id(saved), token))


@router.get("", response_model=SavedSearchList)
def list_saved_searches(session: SessionDep, caller: UserCallerDep) -> SavedSearchList:
    """The caller's saved searches, oldest first, each with how many new results wait (in documents they may read)."""
    return SavedSearchList(saved_searches=[SavedSearchPublic.of(info) for info in list_searches(session, caller)])


@router.delete("/{search_id}", status_code=204, response_class=Response, responses=NOT_FOUND)
def delete_saved_search(session: SessionDep, caller: UserCallerDep, search_id: SavedSearchIdPath) -> Response:
    """Stop following a saved search (its feed stops too)."""
    delete_search(session, caller, search_id)
    session.commit()
    return Response(status_code=204)


@router.get("/{search_id}/new", response_model=SavedSearchResults, responses=NOT_FOUND)
def new_results(
    session: SessionDep,
    caller: UserCallerDep,
    search_id: SavedSearchIdPath,
    offset: Offset = 0,
    limit: Limit = 100,
    all: Annotated[bool, Query(description="Also the results already marked as seen")] = False,
) -> SavedSearchResults:
    """New passages that answer the saved search and that the caller may read now, newest first (best first within
    an ingest batch), shaped like `GET /search` results; not yet marked as seen unless `all`."""
    saved = owned_search(session, caller, search_id)
    found, total = matches(session, saved, caller, unseen=not all, offset=offset, limit=limit)
    results = SearchResponse.of(saved.query, [m.hit for m in found], offset=offset).results
    return SavedSearchResults(id=search_id, query=saved.query, results=results, total=total, offset=offset)


@router.post("/{search_id}/seen", response_model=SavedSearchPublic, responses=NOT_FOUND)
def mark_results_seen(session: SessionDep, caller: UserCallerDep, search_id: SavedSearchIdPath) -> SavedSearchPublic:
    """Mark the results found so far as seen: the count of new results starts again from zero."""
    info = mark_seen(session, caller, search_id)
    session.commit()
    return SavedSearchPublic.of(info)


@router.get(
    "/{search_id}/feed",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}, **NOT_FOUND},
)
def saved_search_feed(
    request: Request,
    session: SessionDep,
    search_id: SavedSearchIdPath,
    token: Annotated[str, Query(min_length=1, max_length=200, description="The feed's secret token")],
) -> Response:
    """The saved search's Atom feed, for a feed reader (the token in its URL is the credential): the latest new
    passages that answer it, in the documents its owner may read now."""
    saved, owner = feed_search(session, search_id, token)
    found, _ = matches(session, saved, owner, unseen=False, limit=FEED_ENTRIES)
    body = atom_feed(saved, found, public_base(request), _feed_url(request, search_id, token))
    return Response(body, media_type=MEDIA_TYPE)

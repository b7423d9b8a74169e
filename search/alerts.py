"""Saved searches: a user's query and filters, checked after every ingest batch against the passages it added.

A new passage that the search ranks (the same ranking as `/search`, with the saved filters) at a score of at least
`Settings.alert_min_score` is recorded as a match, with the span to cite. Matches are found with every document in
view and shown with the visibility of the moment they are read: a reader never sees a match in a document they may
not read now. Each saved search has a feed whose URL carries a secret token (only its sha256 is stored).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from archive import audit
from archive.access import Caller, Role, audit_restricted_results, visible_condition
from archive.db import session_scope
from archive.errors import ArchiveError, InvalidInputError, NotFoundError, PermissionDeniedError
from archive.models import Document, Passage, SavedSearch, SavedSearchMatch, row_id, utcnow
from archive.users import current_caller
from search.filters import SearchFilters
from search.persons import persons_of_passages
from search.request import SearchQuery
from search.searcher import MAX_K, MAX_QUERY_CHARS, PersonRef, Searcher, SearchHit
from search.validation import require_text

log = logging.getLogger(__name__)

CHECKER = Caller(name="saved searches", role=Role.admin)  # finds matches in every document; readers see theirs
MATCHES_PER_CHECK = MAX_K  # at most this many new matches per saved search and ingest batch
MAX_SAVED_PER_USER = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Match:
    hit: SearchHit
    match_id: int
    found_at: datetime


@dataclass(frozen=True)
class SavedSearchInfo:
    search: SavedSearch
    filters: dict[str, str]
    new: int  # matches the reader may see that the owner has not marked as seen


def _newest_passage(session: Session) -> int:
    return int(session.exec(select(func.max(Passage.id))).one() or 0)


def save_search(session: Session, owner: Caller, query: str, filters: SearchFilters) -> tuple[SavedSearch, str]:
    """Save a signed-in user's search (in the caller's transaction); returns it and its feed's secret token.

    Only passages added from now on are matched. The filters are checked now (an unknown person or document is a
    NotFoundError, as in a search)."""
    if owner.name is None or owner.role is None:
        raise PermissionDeniedError("saved searches belong to signed-in users: send your key")
    if current_caller(session, owner.name) is None:  # the editor token is nobody's: its searches would have no feed
        raise PermissionDeniedError("saved searches belong to users: use a user's own key (archive users add)")
    query = require_text(" ".join(query.split()), "query", MAX_QUERY_CHARS)
    filters.allowed_passage_ids(session)  # the same errors as a search with these filters
    mine = col(SavedSearch.owner) == owner.name
    owned = session.exec(select(func.count()).select_from(SavedSearch).where(mine)).one()
    if owned >= MAX_SAVED_PER_USER:
        raise InvalidInputError(f"a user keeps at most {MAX_SAVED_PER_USER} saved searches: delete one first")
    token = secrets.token_urlsafe(32)
    saved = SavedSearch(
        owner=owner.name,
        query=query,
        filters=json.dumps(filters.as_params(), sort_keys=True),
        feed_token_hash=token_hash(token),
        checked_through=_newest_passage(session),
    )
    session.add(saved)
    session.flush()
    audit.add(session, owner.actor, "saved search added", "saved search", saved.id)
    return saved, token


def owned_search(session: Session, caller: Caller, search_id: int) -> SavedSearch:
    """The caller's saved search; another user's answers exactly like a missing one."""
    saved = session.get(SavedSearch, search_id)
    if saved is None or caller.name is None or saved.owner != caller.name:
        raise NotFoundError(f"saved search {search_id} does not exist")
    return saved


def delete_search(session: Session, caller: Caller, search_id: int) -> None:
    saved = owned_search(session, caller, search_id)
    session.exec(delete(SavedSearchMatch).where(col(SavedSearchMatch.saved_search_id) == search_id))
    session.delete(saved)
    audit.add(session, caller.actor, "saved search deleted", "saved search", search_id)


def mark_seen(session: Session, caller: Caller, search_id: int) -> SavedSearchInfo:
    """Mark every match recorded so far as seen (the count of new results starts again from zero)."""
    saved = owned_search(session, caller, search_id)
    newest = session.exec(
        select(func.max(SavedSearchMatch.id)).where(col(SavedSearchMatch.saved_search_id) == search_id)
    ).one()
    saved.seen_through = max(saved.seen_through, int(newest or 0))
    session.add(saved)
    session.flush()
    return SavedSearchInfo(saved, json.loads(saved.filters), _count_unseen(session, saved, caller))


def list_searches(session: Session, caller: Caller) -> list[SavedSearchInfo]:
    """The caller's saved searches, oldest first, each with the number of unseen matches the caller may read."""
    if caller.name is None:
        return []
    rows = session.exec(select(SavedSearch).where(SavedSearch.owner == caller.name).order_by(col(SavedSearch.id)))
    return [
        SavedSearchInfo(saved, json.loads(saved.filters), _count_unseen(session, saved, caller)) for saved in rows.all()
    ]


def _visible_matches(saved: SavedSearch, reader: Caller, unseen: bool):
    statement = (
        select(SavedSearchMatch, Passage, Document)
        .join(Passage, col(Passage.id) == SavedSearchMatch.passage_id)
        .join(Document, col(Document.id) == Passage.document_id)
        .where(SavedSearchMatch.saved_search_id == row_id(saved))
    )
    visible = visible_condition(reader)
    if visible is not None:
        statement = statement.where(visible)
    if unseen:
        statement = statement.where(col(SavedSearchMatch.id) > saved.seen_through)
    return statement


def _count_unseen(session: Session, saved: SavedSearch, reader: Caller) -> int:
    return _count(session, _visible_matches(saved, reader, unseen=True))


def _count(session: Session, statement) -> int:
    return int(session.exec(select(func.count()).select_from(statement.subquery())).one())


def matches(
    session: Session, saved: SavedSearch, reader: Caller, *, unseen: bool = True, offset: int = 0, limit: int = 100
) -> tuple[list[Match], int]:
    """The matches the reader may read now (unseen ones, or all), newest batch first and best first within it,
    with the search hit each is; and how many there are. Restricted documents among them are audited."""
    statement = _visible_matches(saved, reader, unseen)
    total = _count(session, statement)
    rows = session.exec(
        statement.order_by(
            col(SavedSearchMatch.found_at).desc(), col(SavedSearchMatch.score).desc(), col(SavedSearchMatch.id)
        )
        .offset(offset)
        .limit(limit)
    ).all()
    persons = persons_of_passages(session, [row_id(passage) for _, passage, _ in rows])
    found = [
        Match(
            SearchHit(
                rank=offset + i + 1,
                score=match.score,
                passage=passage,
                document=document,
                char_start=match.char_start,
                char_end=match.char_end,
                persons=[PersonRef(pid, name) for pid, name in persons.get(row_id(passage), [])],
            ),
            row_id(match),
            match.found_at,
        )
        for i, (match, passage, document) in enumerate(rows)
    ]
    audit_restricted_results(session, reader, "saved search", [m.hit.document for m in found])
    return found, total


def feed_search(session: Session, search_id: int, token: str) -> tuple[SavedSearch, Caller]:
    """The saved search a feed URL names and its owner as they are now (role and groups), for reading it.

    A wrong token, or an owner who no longer has a working key, answers like a missing saved search."""
    saved = session.get(SavedSearch, search_id)
    if saved is None or not secrets.compare_digest(saved.feed_token_hash, token_hash(token)):
        raise NotFoundError(f"saved search {search_id} does not exist")
    owner = current_caller(session, saved.owner)
    if owner is None:
        raise NotFoundError(f"saved search {search_id} does not exist")
    return saved, owner


def check_saved_searches(engine: Engine, searcher: Searcher, min_score: float) -> int:
    """Look for matches among the passages added since each saved search was last checked; returns how many were
    recorded. Called after every ingest batch; a saved search whose filters no longer resolve (a person merged
    away) is skipped over the new passages. Concurrent checkers never record a passage twice."""
    with Session(engine) as session:
        newest = _newest_passage(session)
        due = session.exec(select(SavedSearch).where(col(SavedSearch.checked_through) < newest)).all()
    recorded = 0
    for saved in due:
        try:
            recorded += _check_one(engine, searcher, saved, newest, min_score)
        except Exception:  # one saved search must not stop the others, nor the ingest that called this
            log.exception("checking saved search %s failed", saved.id)
    return recorded


def _check_one(engine: Engine, searcher: Searcher, saved: SavedSearch, newest: int, min_score: float) -> int:
    after = saved.checked_through
    followed = SearchQuery.parse({**json.loads(saved.filters), "q": saved.query})
    filters = replace(followed.filters(CHECKER), passage_ids=(after, newest))
    try:
        hits = searcher.search_page(saved.query, k=MATCHES_PER_CHECK, filters=filters).hits
    except ArchiveError as error:
        log.warning("saved search %s skipped passages %s-%s: %s", saved.id, after + 1, newest, error)
        hits = []
    found = [hit for hit in hits if hit.score >= min_score]
    with session_scope(engine) as session:
        claimed = session.exec(
            update(SavedSearch)
            .where(col(SavedSearch.id) == saved.id, col(SavedSearch.checked_through) == after)
            .values(checked_through=newest)
        )
        if claimed.rowcount != 1:
            return 0  # another worker checked these passages meanwhile (or the search was deleted)
        now = utcnow()
        session.add_all(
            SavedSearchMatch(
                saved_search_id=row_id(saved),
                passage_id=row_id(hit.passage),
                score=round(hit.score, 6),
                char_start=hit.char_start,
                char_end=hit.char_end,
                found_at=now,
            )
            for hit in found
        )
    return len(found)

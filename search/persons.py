"""People in the archive: lookup in any script, pages of the list, detail with cited passages, tags of passages."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from archive.access import (
    ANONYMOUS,
    VISIBLE_PASSAGES,
    Caller,
    audit_restricted_results,
    visible_condition,
)
from archive.errors import InvalidInputError, NotFoundError
from archive.ids import in_range, is_number, parse_id
from archive.models import Document, Mention, Passage, Person, PersonAlias, id_column
from indexing.persons import PersonIndex, match_persons
from indexing.persons.decisions import NOT_A_PERSON, persons_judged
from indexing.persons.stored import load_person_index, names_stamp

MIN_MATCH_SCORE = 0.6
SORTS = ("mentions", "name")  # the orders of a list of people; a name query alone ranks by how well names match
_WORD = re.compile(r"[^\W\d_][\w’'.-]*", re.UNICODE)


@dataclass(frozen=True)
class PersonSummary:
    id: int
    name: str
    aliases: list[str]
    mentions: int


@dataclass(frozen=True)
class PersonPage:
    """One page of a list of people, and how many the whole list holds (the same for every page)."""

    total: int
    offset: int
    persons: list[PersonSummary]


@dataclass(frozen=True)
class PersonDetail:
    summary: PersonSummary
    documents: list[Document]
    passages: list[tuple[Passage, Document]]
    not_a_person: bool = False  # an editor judged the record not a person: it is in no list, filter or tag


def not_persons(session: Session) -> set[int]:
    """Records an editor judged not a person (an organisation, a place, ...): out of lists, filters and tags."""
    return persons_judged(session, NOT_A_PERSON)


def _narrowing(session: Session, caller: Caller) -> ColumnElement[bool] | None:
    """The condition on `Document` the caller's reads need, or None when the caller sees every passage."""
    visible = visible_condition(caller)
    if visible is None or VISIBLE_PASSAGES.allowed(session, caller) is None:  # cached per scope: cheap
        return None
    return visible


def _hidden_persons(session: Session, caller: Caller) -> set[int]:
    """People the caller may not know of: every passage that mentions them is in a document hidden from them."""
    visible = _narrowing(session, caller)
    if visible is None:
        return set()
    mentioned = set(session.exec(select(Mention.person_id).distinct()).all())
    seen = session.exec(
        select(Mention.person_id)
        .join(Passage, col(Passage.id) == Mention.passage_id)
        .join(Document, col(Document.id) == Passage.document_id)
        .where(visible)
        .distinct()
    ).all()
    return mentioned - set(seen)


def _names_by_person(session: Session, caller: Caller, with_rejected: bool = False) -> dict[int, list[str]]:
    """Every name of each person the caller may know of (the canonical name first); records judged not a person
    only `with_rejected`."""
    hidden = _hidden_persons(session, caller) | (set() if with_rejected else not_persons(session))
    names: dict[int, list[str]] = defaultdict(list)
    for person_id, name in session.exec(select(id_column(Person), Person.name)).all():
        if person_id not in hidden:
            names[person_id].append(name)
    for person_id, alias in session.exec(select(PersonAlias.person_id, PersonAlias.alias)).all():
        if person_id in names and alias not in names[person_id]:
            names[person_id].append(alias)
    return names


def _mention_counts(session: Session, person_ids: Sequence[int], caller: Caller) -> dict[int, int]:
    """Passages mentioning each person, counting only those the caller may see."""
    statement = select(Mention.person_id, func.count(func.distinct(Mention.passage_id))).where(
        col(Mention.person_id).in_(list(person_ids))
    )
    visible = _narrowing(session, caller)
    if visible is not None:
        statement = (
            statement.join(Passage, col(Passage.id) == Mention.passage_id)
            .join(Document, col(Document.id) == Passage.document_id)
            .where(visible)
        )
    return dict(session.exec(statement.group_by(col(Mention.person_id))).all())


def _summary(person_id: int, names: dict[int, list[str]], counts: dict[int, int]) -> PersonSummary:
    return PersonSummary(person_id, names[person_id][0], names[person_id][1:], counts.get(person_id, 0))


def _summaries(
    session: Session, person_ids: Sequence[int], names: dict[int, list[str]], caller: Caller
) -> list[PersonSummary]:
    counts = _mention_counts(session, person_ids, caller)
    return [_summary(pid, names, counts) for pid in person_ids]


def list_persons(
    session: Session,
    query: str | None = None,
    *,
    offset: int = 0,
    limit: int = 20,
    sort: str | None = None,
    caller: Caller = ANONYMOUS,
) -> PersonPage:
    """A page of the people the caller may know of: those whose names match `query` in any script (best first),
    or everyone (the most mentioned first); `sort` ("mentions" or "name") orders either list instead.

    Mentions are counted in the passages the caller may see; ties go to the lower id, so pages never overlap."""
    if sort is not None and sort not in SORTS:
        raise InvalidInputError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    names = _names_by_person(session, caller)
    if query and query.strip():
        ranked = [pid for pid, score in match_persons(query, names, len(names)) if score >= MIN_MATCH_SCORE]
    else:
        ranked, sort = sorted(names), sort or "mentions"
    counts = _mention_counts(session, ranked, caller)
    if sort == "mentions":
        ranked.sort(key=lambda pid: (-counts.get(pid, 0), pid))
    elif sort == "name":
        ranked.sort(key=lambda pid: (names[pid][0].casefold(), pid))
    page = [_summary(pid, names, counts) for pid in ranked[offset : offset + limit]]
    return PersonPage(total=len(ranked), offset=offset, persons=page)


def find_persons(
    session: Session, query: str | None = None, limit: int = 20, caller: Caller = ANONYMOUS
) -> list[PersonSummary]:
    """The first `limit` people of `list_persons`: matching `query` best first, or the most mentioned."""
    return list_persons(session, query, limit=limit, caller=caller).persons


def known_person(session: Session, person_id: int, caller: Caller = ANONYMOUS) -> Person:
    """The record, if it exists and the caller may know of it (a record judged not a person included); else the
    same NotFoundError for both."""
    person = session.get(Person, person_id) if in_range(person_id) else None
    if person is None or person_id in _hidden_persons(session, caller):
        raise NotFoundError(f"person {person_id} does not exist")
    return person


def resolve_person(session: Session, name_or_id: str, caller: Caller = ANONYMOUS) -> int:
    """A person's id from an id or a name in any script; a clear error when nobody (the caller knows of) matches."""
    name_or_id = name_or_id.strip()
    if not name_or_id:
        raise InvalidInputError("the person is empty: give a name or an id")
    if is_number(name_or_id):
        person_id = parse_id(name_or_id)
        if person_id is None:
            raise NotFoundError(f"person {name_or_id} does not exist")
        known_person(session, person_id, caller)
        if person_id in not_persons(session):
            raise NotFoundError(f"record {name_or_id} was judged not a person")
        return person_id
    found = find_persons(session, name_or_id, limit=1, caller=caller)
    if not found:
        raise NotFoundError(f"nobody named {name_or_id!r} is in the archive")
    return found[0].id


def get_person(session: Session, person_id: int, caller: Caller = ANONYMOUS) -> PersonDetail:
    """A person with the documents and passages (that the caller may see) mentioning them; a record judged not a
    person too (so that an editor can undo the decision), saying so."""
    known_person(session, person_id, caller)
    names = _names_by_person(session, caller, with_rejected=True)
    statement = (
        select(Passage, Document)
        .join(Document)
        .where(col(Passage.id).in_(select(Mention.passage_id).where(Mention.person_id == person_id)))
    )
    visible = _narrowing(session, caller)
    if visible is not None:
        statement = statement.where(visible)
    rows = session.exec(statement.order_by(col(Document.id), col(Passage.ordinal))).all()
    documents = list({document.id: document for _, document in rows}.values())
    audit_restricted_results(session, caller, f"read person {person_id} in", documents)
    summary = _summaries(session, [person_id], names, caller)[0]
    rejected = person_id in not_persons(session)
    return PersonDetail(summary, documents, [(p, d) for p, d in rows], not_a_person=rejected)


def persons_of_passages(session: Session, passage_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """The (id, name) of the people each passage mentions, in order of first mention (no record judged not a
    person)."""
    if not passage_ids:
        return {}
    rows = session.exec(
        select(Mention.passage_id, id_column(Person), Person.name)
        .join(Person, col(Person.id) == Mention.person_id)
        .where(col(Mention.passage_id).in_(list(passage_ids)), col(Person.id).not_in(not_persons(session)))
        .order_by(col(Mention.passage_id), col(Mention.char_start))
    ).all()
    persons: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for passage_id, person_id, name in rows:
        if (person_id, name) not in persons[passage_id]:
            persons[passage_id].append((person_id, name))
    return persons


def passages_mentioning(session: Session, person_ids: Sequence[int]) -> list[int]:
    return list(
        session.exec(select(Mention.passage_id).where(col(Mention.person_id).in_(list(person_ids))).distinct()).all()
    )


class PersonDirectory:
    """Finds the people a query names (any script, surname or full name), for boosting their passages.

    The name index is rebuilt only when the archive's aliases change.
    """

    def __init__(self) -> None:
        self._index = PersonIndex()
        self._stamp: tuple[int, ...] | None = None  # the stored names the index holds
        self._lock = threading.Lock()

    def persons_in(self, session: Session, query: str) -> list[int]:
        self._refresh(session)
        words = _WORD.findall(query)
        rejected = not_persons(session)
        found: list[int] = []
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if size == 1 and (len(phrase) < 4 or not phrase[0].isupper()):
                    continue  # a lone word must look like a surname
                person_id = self._index.lookup(phrase)
                if person_id is not None and person_id not in found and person_id not in rejected:
                    found.append(person_id)
        return found

    def _refresh(self, session: Session) -> None:
        stamp = names_stamp(session)
        if stamp == self._stamp:
            return
        with self._lock:
            self._index, self._stamp = load_person_index(session), stamp

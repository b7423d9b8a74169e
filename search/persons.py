"""People in the archive: lookup in any script, detail with cited passages, merging, tags of passages."""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from archive.errors import InvalidInputError, NotFoundError
from archive.models import Document, Mention, Passage, Person, PersonAlias, id_column
from indexing.persons import PersonIndex, match_persons, name_key, script_of
from indexing.persons.stored import alias_count, load_person_index

MIN_MATCH_SCORE = 0.6
_WORD = re.compile(r"[^\W\d_][\w’'.-]*", re.UNICODE)


@dataclass(frozen=True)
class PersonSummary:
    id: int
    name: str
    aliases: list[str]
    mentions: int


@dataclass(frozen=True)
class PersonDetail:
    summary: PersonSummary
    documents: list[Document]
    passages: list[tuple[Passage, Document]]


def _names_by_person(session: Session) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for person_id, name in session.exec(select(id_column(Person), Person.name)).all():
        names[person_id].append(name)
    for person_id, alias in session.exec(select(PersonAlias.person_id, PersonAlias.alias)).all():
        if alias not in names[person_id]:
            names[person_id].append(alias)
    return names


def _mention_counts(session: Session, person_ids: Sequence[int]) -> dict[int, int]:
    rows = session.exec(
        select(Mention.person_id, func.count(func.distinct(Mention.passage_id)))
        .where(col(Mention.person_id).in_(list(person_ids)))
        .group_by(col(Mention.person_id))
    ).all()
    return dict(rows)


def _summaries(session: Session, person_ids: Sequence[int], names: dict[int, list[str]]) -> list[PersonSummary]:
    counts = _mention_counts(session, person_ids)
    return [
        PersonSummary(id=pid, name=names[pid][0], aliases=names[pid][1:], mentions=counts.get(pid, 0))
        for pid in person_ids
    ]


def find_persons(session: Session, query: str | None = None, limit: int = 20) -> list[PersonSummary]:
    """People whose names match `query` in any script, best first; without a query, the most mentioned."""
    names = _names_by_person(session)
    if query and query.strip():
        ranked = [pid for pid, score in match_persons(query, names, limit=limit) if score >= MIN_MATCH_SCORE]
        return _summaries(session, ranked, names)
    counts = _mention_counts(session, list(names))
    most = sorted(names, key=lambda pid: (-counts.get(pid, 0), pid))[:limit]
    return _summaries(session, most, names)


def resolve_person(session: Session, name_or_id: str) -> int:
    """A person's id from an id or a name in any script; a clear error when nobody matches."""
    name_or_id = name_or_id.strip()
    if not name_or_id:
        raise InvalidInputError("the person is empty: give a name or an id")
    if name_or_id.isdigit():
        if session.get(Person, int(name_or_id)) is None:
            raise NotFoundError(f"person {name_or_id} does not exist")
        return int(name_or_id)
    found = find_persons(session, name_or_id, limit=1)
    if not found:
        raise NotFoundError(f"nobody named {name_or_id!r} is in the archive")
    return found[0].id


def get_person(session: Session, person_id: int) -> PersonDetail:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"person {person_id} does not exist")
    names = _names_by_person(session)
    rows = session.exec(
        select(Passage, Document)
        .join(Document)
        .where(col(Passage.id).in_(select(Mention.passage_id).where(Mention.person_id == person_id)))
        .order_by(col(Document.id), col(Passage.ordinal))
    ).all()
    documents = list({document.id: document for _, document in rows}.values())
    return PersonDetail(_summaries(session, [person_id], names)[0], documents, [(p, d) for p, d in rows])


def merge_persons(session: Session, keep_id: int, merge_id: int) -> PersonSummary:
    """Fold person `merge_id` into `keep_id`: aliases and mentions move, the second record goes."""
    if keep_id == merge_id:
        raise InvalidInputError("cannot merge a person with itself")
    for person_id in (keep_id, merge_id):
        if session.get(Person, person_id) is None:
            raise NotFoundError(f"person {person_id} does not exist")
    gone = session.get_one(Person, merge_id)
    known = set(session.exec(select(PersonAlias.alias).where(PersonAlias.person_id == keep_id)).all())
    for alias in session.exec(select(PersonAlias).where(PersonAlias.person_id == merge_id)).all():
        if alias.alias in known:
            session.delete(alias)
        else:
            alias.person_id = keep_id
            session.add(alias)
            known.add(alias.alias)
    for mention in session.exec(select(Mention).where(Mention.person_id == merge_id)).all():
        mention.person_id = keep_id
        session.add(mention)
    if gone.name not in known:
        session.add(
            PersonAlias(person_id=keep_id, alias=gone.name, key=name_key(gone.name), script=script_of(gone.name))
        )
    session.flush()
    session.delete(gone)
    session.flush()
    return _summaries(session, [keep_id], _names_by_person(session))[0]


def persons_of_passages(session: Session, passage_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """The (id, name) of the people each passage mentions, in order of first mention."""
    if not passage_ids:
        return {}
    rows = session.exec(
        select(Mention.passage_id, id_column(Person), Person.name)
        .join(Person, col(Person.id) == Mention.person_id)
        .where(col(Mention.passage_id).in_(list(passage_ids)))
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
        self._alias_count = -1
        self._lock = threading.Lock()

    def persons_in(self, session: Session, query: str) -> list[int]:
        self._refresh(session)
        words = _WORD.findall(query)
        found: list[int] = []
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if size == 1 and (len(phrase) < 4 or not phrase[0].isupper()):
                    continue  # a lone word must look like a surname
                person_id = self._index.lookup(phrase)
                if person_id is not None and person_id not in found:
                    found.append(person_id)
        return found

    def _refresh(self, session: Session) -> None:
        count = alias_count(session)
        if count == self._alias_count:
            return
        with self._lock:
            self._index, self._alias_count = load_person_index(session), count

"""Editors' corrections of person records: not a person (and its undoing), and merging two records into one.

Each correction is recorded as a decision on the names' identity keys (indexing.persons.decisions), which every
later ingest applies, and in the audit trail, in the caller's transaction. The transaction is one of those that
commit documents (`serialize_commits`): an ingest never tags with names read before a correction it overlaps.
"""

from __future__ import annotations

from sqlmodel import Session, select

from archive import audit
from archive.errors import InvalidInputError, NotFoundError
from archive.models import Mention, Person, PersonAlias
from indexing.job_states import serialize_commits
from indexing.persons import name_key, script_of
from indexing.persons.decisions import NOT_A_PERSON, SAME_PERSON, decide, repoint, withdraw
from search.persons import not_persons


def _names_of(session: Session, person_id: int) -> list[str]:
    """The record's name and every alias of it."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"person {person_id} does not exist")
    aliases = session.exec(select(PersonAlias.alias).where(PersonAlias.person_id == person_id)).all()
    return list(dict.fromkeys([person.name, *aliases]))


def mark_not_a_person(session: Session, person_id: int, actor: str) -> str:
    """Judge a record not a person: it leaves lists, filters and passages' tags, and its names never make a person
    again; its mentions stay on it, for `mark_a_person`. Returns the record's name."""
    serialize_commits(session)
    names = _names_of(session, person_id)
    decide(session, names, NOT_A_PERSON, person_id, actor)
    audit.add(session, actor, "person judged not a person", "person", person_id, names[0])
    return names[0]


def mark_a_person(session: Session, person_id: int, actor: str) -> str:
    """Undo `mark_not_a_person`: the record is a person again, with every mention it gathered meanwhile."""
    serialize_commits(session)
    name = _names_of(session, person_id)[0]
    if not withdraw(session, person_id, NOT_A_PERSON):
        raise InvalidInputError(f"person {person_id} ({name}) is not marked as not a person")
    audit.add(session, actor, "person judged a person", "person", person_id, name)
    return name


def merge_persons(session: Session, keep_id: int, merge_id: int, actor: str) -> str:
    """Fold record `merge_id` into `keep_id`: aliases and mentions move, the second record goes, and its names
    resolve to `keep_id` from now on. Returns the kept record's name."""
    if keep_id == merge_id:
        raise InvalidInputError("cannot merge a person with itself")
    serialize_commits(session)
    names = _names_of(session, merge_id)
    kept = _names_of(session, keep_id)[0]
    rejected = not_persons(session) & {keep_id, merge_id}
    if rejected:
        raise InvalidInputError(f"record {min(rejected)} is marked as not a person: undo that before merging")
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
    if names[0] not in known:
        session.add(PersonAlias(person_id=keep_id, alias=names[0], key=name_key(names[0]), script=script_of(names[0])))
    session.flush()
    repoint(session, merge_id, keep_id)
    decide(session, names, SAME_PERSON, keep_id, actor)
    session.delete(session.get_one(Person, merge_id))
    session.flush()
    audit.add(session, actor, "persons merged", "person", keep_id, f"person {merge_id} ({names[0]}) into {keep_id}")
    return kept

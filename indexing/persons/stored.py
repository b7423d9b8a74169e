"""The archive's stored names read into a `PersonIndex`: the one way ingest and search load it."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from archive.models import Person, PersonAlias
from indexing.persons.resolve import PersonIndex


def load_person_index(session: Session) -> PersonIndex:
    """Every stored alias registered under its person."""
    index = PersonIndex()
    for person_id, alias in session.exec(select(PersonAlias.person_id, PersonAlias.alias)).all():
        index.add(person_id, alias)
    return index


def names_stamp(session: Session) -> tuple[int, ...]:
    """A cheap fingerprint of the stored names (counts and highest ids of persons and aliases): when it changes, a
    loaded index is out of date (new names, or a merge)."""
    persons = session.exec(select(func.count(col(Person.id)), func.max(Person.id))).one()
    aliases = session.exec(select(func.count(col(PersonAlias.id)), func.max(PersonAlias.id))).one()
    return tuple(int(n or 0) for n in (*persons, *aliases))

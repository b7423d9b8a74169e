"""The archive's stored names read into a `PersonIndex`: the one way ingest and search load it."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from archive.models import PersonAlias
from indexing.persons.resolve import PersonIndex


def load_person_index(session: Session) -> PersonIndex:
    """Every stored alias registered under its person."""
    index = PersonIndex()
    for person_id, alias in session.exec(select(PersonAlias.person_id, PersonAlias.alias)).all():
        index.add(person_id, alias)
    return index


def alias_count(session: Session) -> int:
    """How many aliases are stored (a change means the loaded index is out of date)."""
    return session.exec(select(func.count(col(PersonAlias.id)))).one()

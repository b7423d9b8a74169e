"""Editors' decisions on names, kept by the names' identity keys so that every later ingest follows them.

A name is either "not a person" (an organisation, place or club the extraction took for one) or "the same person"
as the record it was merged into. Each decision is stored once per identity key (`person_keys`) of the names it
covers, pointing at the record the name's mentions go to: the rejected record itself (kept, hidden from lists,
filters and tags, so that undoing the decision brings back every mention), or the record merged into. The tagger
resolves every mention through `Decisions.about` before its name index: a document ingested again, or a new one
naming the same name, can neither bring a rejected name back as a person nor split a merged one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from archive.models import PersonDecision
from indexing.persons.keys import person_keys

NOT_A_PERSON = "not-a-person"
SAME_PERSON = "same-person"


@dataclass(frozen=True)
class Decision:
    verdict: str  # NOT_A_PERSON or SAME_PERSON
    person_id: int  # where mentions of the name go


class Decisions:
    """The stored decisions by identity key, for resolving mentions."""

    def __init__(self, by_key: Mapping[str, Decision] | None = None) -> None:
        self._by_key = dict(by_key or {})

    def about(self, name: str) -> Decision | None:
        """The decision that covers `name`, or None when editors have said nothing about it."""
        for key in sorted(person_keys(name)):
            if key in self._by_key:
                return self._by_key[key]
        return None


def load_decisions(session: Session) -> Decisions:
    rows = session.exec(select(PersonDecision.key, PersonDecision.verdict, PersonDecision.person_id)).all()
    return Decisions({key: Decision(verdict, person_id) for key, verdict, person_id in rows})


def decide(session: Session, names: Iterable[str], verdict: str, person_id: int, actor: str) -> int:
    """Record `verdict` for every identity key of `names`, replacing older decisions on those keys; returns how
    many keys it covers."""
    keys = {key: name for name in names for key in sorted(person_keys(name))}
    if keys:
        session.exec(delete(PersonDecision).where(col(PersonDecision.key).in_(sorted(keys))))
    session.add_all(
        PersonDecision(key=key, verdict=verdict, person_id=person_id, name=name, decided_by=actor)
        for key, name in keys.items()
    )
    session.flush()
    return len(keys)


def withdraw(session: Session, person_id: int, verdict: str) -> int:
    """Forget the decisions of `verdict` that point at `person_id`; returns how many there were."""
    rows = session.exec(
        select(PersonDecision).where(PersonDecision.person_id == person_id, PersonDecision.verdict == verdict)
    ).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def repoint(session: Session, from_id: int, to_id: int) -> None:
    """Decisions that sent names to `from_id` send them to `to_id` (the record `from_id` was merged into)."""
    session.exec(update(PersonDecision).where(col(PersonDecision.person_id) == from_id).values(person_id=to_id))
    session.flush()


def persons_judged(session: Session, verdict: str) -> set[int]:
    """The records that decisions of `verdict` point at (for NOT_A_PERSON: the rejected records)."""
    return set(session.exec(select(PersonDecision.person_id).where(PersonDecision.verdict == verdict).distinct()))

"""Person tags at ingest time: every passage records who it mentions, under one record per person.

Mentions are found in a document's text before its transaction (the slow, pure part); inside the transaction each
mention is resolved to a person (existing or new) and written as a `Mention` of every passage that holds it.
Curated people (`persons.json` beside the ingested files) are merged in before the documents that follow them.
Editors' decisions (`indexing.persons.decisions`) come first wherever a name is resolved: a name judged not a person
goes to its hidden record, a merged name to the record it was merged into.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from archive.models import Mention, Passage, Person, PersonAlias, row_id
from indexing.persons import KnownPerson, PersonIndex, PersonMention, find_person_mentions, name_key, script_of
from indexing.persons.decisions import Decisions, load_decisions
from indexing.persons.keys import is_full_name
from indexing.persons.stored import load_person_index, names_stamp

KNOWN_PERSONS_NAME = "persons.json"

__all__ = ["KNOWN_PERSONS_NAME", "PersonTagger", "find_person_mentions"]


class PersonTagger:
    """Resolves names to person records; holds the name index of the archive being written (one writer)."""

    def __init__(self) -> None:
        self._index = PersonIndex()
        self._stamp: tuple[int, ...] | None = None  # the stored names this index holds, see names_stamp
        self._decisions = Decisions()

    def load(self, session: Session) -> None:
        """(Re)read every stored name and decision, so that new mentions join existing records."""
        self._index = load_person_index(session)
        self._stamp = names_stamp(session)
        self._decisions = load_decisions(session)

    def refresh(self, session: Session) -> None:
        """Reload the names if someone else (another worker, a merge) changed them since they were read, and the
        editors' decisions (a small table) always."""
        if names_stamp(session) != self._stamp:
            self.load(session)
        else:
            self._decisions = load_decisions(session)

    def person_for(self, name: str) -> int | None:
        """The record a name's mentions go to: the editors' decision about the name if there is one, else the
        person the name index finds (None: nobody known yet)."""
        decision = self._decisions.about(name)
        return decision.person_id if decision is not None else self._index.lookup(name)

    def mark_current(self, session: Session) -> None:
        """The names as this transaction leaves them are the ones held (call while no one else writes them)."""
        self._stamp = names_stamp(session)

    def merge_known(self, session: Session, known: Sequence[KnownPerson]) -> None:
        """Merge curated people: a known name joins its existing record (gaining the aliases) or creates one."""
        for person in known:
            names = (person.name, *person.aliases)
            person_id = next((pid for pid in map(self.person_for, names) if pid is not None), None)
            if person_id is None:
                person_id = self._create(session, person.name)
            else:
                session.get_one(Person, person_id).name = person.name  # the curated spelling is canonical
            for name in names:
                self._add_alias(session, person_id, name)

    def tag(self, session: Session, passages: Sequence[Passage], mentions: Sequence[PersonMention]) -> int:
        """Write a `Mention` for each (person, passage holding the mention); returns how many were written."""
        ordered = sorted(passages, key=lambda p: p.char_start)
        starts = [p.char_start for p in ordered]
        written = 0
        for mention in sorted(mentions, key=lambda m: not is_full_name(m.name)):
            person_id = self.person_for(mention.name)
            if person_id is None:
                if not is_full_name(mention.name):
                    continue  # a lone surname nobody is known by stays untagged rather than guessed
                person_id = self._create(session, mention.name)
            self._add_alias(session, person_id, mention.name)
            last = bisect.bisect_right(starts, mention.char_start)
            for passage in ordered[max(0, last - 3) : last]:
                if passage.char_start <= mention.char_start and mention.char_end <= passage.char_end:
                    session.add(
                        Mention(
                            person_id=person_id,
                            passage_id=row_id(passage),
                            char_start=mention.char_start,
                            char_end=mention.char_end,
                        )
                    )
                    written += 1
        return written

    def _create(self, session: Session, name: str) -> int:
        person = Person(name=name)
        session.add(person)
        session.flush()
        return row_id(person)

    def _add_alias(self, session: Session, person_id: int, name: str) -> None:
        if (person_id, name) not in self._index.names:
            self._index.add(person_id, name)
            session.add(PersonAlias(person_id=person_id, alias=name, key=name_key(name), script=script_of(name)))


def known_persons_beside(path: Path) -> Path | None:
    """The curated persons file in a file's folder, if there is one."""
    candidate = path.parent / KNOWN_PERSONS_NAME
    return candidate if candidate.is_file() else None

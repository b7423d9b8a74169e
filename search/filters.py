"""Filters that narrow a search before its top-k is cut."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlmodel import Session, col, select

from archive import storage
from archive.models import Document, Mention, Passage
from search.persons import resolve_person


@dataclass(frozen=True)
class SearchFilters:
    document_id: int | None = None
    person: str | None = None  # a person's id or name, in any script
    language: str | None = None
    published_from: date | None = None
    published_to: date | None = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in vars(self).values())

    def allowed_passage_ids(self, session: Session) -> np.ndarray | None:
        """Ids of the passages the filters allow, or None when nothing is filtered."""
        if not self.active:
            return None
        conditions = []
        if self.document_id is not None:
            storage.get_document(session, self.document_id)  # a clear error for an unknown document
            conditions.append(col(Document.id) == self.document_id)
        if self.language is not None:
            conditions.append(col(Document.language) == self.language)
        if self.published_from is not None:
            conditions.append(col(Document.published) >= self.published_from)
        if self.published_to is not None:
            conditions.append(col(Document.published) <= self.published_to)
        if self.person is not None:
            person_id = resolve_person(session, self.person)
            conditions.append(col(Passage.id).in_(select(Mention.passage_id).where(Mention.person_id == person_id)))
        return storage.passage_ids_where(session, *conditions)


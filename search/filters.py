"""Filters that narrow a search before its top-k is cut."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np
from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from archive import storage
from archive.access import ANONYMOUS, VISIBLE_PASSAGES, Caller, readable_document, visible_condition
from archive.errors import InvalidInputError
from archive.models import Document, Mention, Passage
from language.scripts import LANGUAGES
from search.persons import resolve_person


@dataclass(frozen=True)
class SearchFilters:
    document_id: int | None = None
    person: str | None = None  # a person's id or name, in any script
    language: str | None = None  # the passage's own language (as results report it): en, ru or kk
    published_from: date | None = None  # documents whose stated date (a day, month, year or interval) reaches
    published_to: date | None = None  # into this range; undated documents are left out unless `undated`
    kind: str | None = None  # the document's kind, e.g. "news article"
    undated: str | None = (
        None  # "include": a date filter keeps undated documents too ("exclude" or None: it drops them)
    )
    passage_ids: tuple[int, int] | None = None  # (after, through): only passages added in between (saved searches)
    caller: Caller = field(default=ANONYMOUS, compare=False)  # who asks: only what they may see is searched

    def __post_init__(self) -> None:
        if self.language is not None and self.language not in LANGUAGES:
            raise InvalidInputError(f"language must be one of {', '.join(LANGUAGES)}, not {self.language!r}")
        if self.published_from and self.published_to and self.published_from > self.published_to:
            raise InvalidInputError("published_from must not be after published_to")
        if self.undated not in (None, "include", "exclude"):
            raise InvalidInputError(f"undated must be include or exclude, not {self.undated!r}")

    @property
    def dated(self) -> bool:
        """Whether a date filter is set."""
        return self.published_from is not None or self.published_to is not None

    @property
    def active(self) -> bool:
        """Whether any filter the user chose is set (who asks is not a filter the user chose)."""
        return any(getattr(self, item.name) is not None for item in fields(self) if item.name != "caller")

    def as_params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for links that keep them)."""
        params = {}
        for item in fields(self):
            if item.name in ("caller", "passage_ids"):
                continue
            value = getattr(self, item.name)
            if value is not None:
                params[item.name] = value.isoformat() if isinstance(value, date) else str(value)
        return params

    def allowed_passage_ids(self, session: Session) -> np.ndarray | None:
        """Ids of the passages the filters allow and the caller may see, or None when nothing is filtered.

        This is the one place where search candidates (dense, lexical, person) are narrowed."""
        if not self.active:
            return VISIBLE_PASSAGES.allowed(session, self.caller)
        return storage.passage_ids_where(session, *self._conditions(session), *self._date_conditions())

    def undated_excluded(self, session: Session) -> int:
        """How many undated documents the date filter leaves out that every other filter keeps (0 without one)."""
        if not self.dated or self.undated == "include":
            return 0
        statement = (
            select(func.count(func.distinct(Passage.document_id)))
            .join(Document)
            .where(*self._conditions(session), col(Document.published).is_(None))
        )
        return int(session.exec(statement).one())

    def _date_conditions(self) -> list[ColumnElement[bool]]:
        """The date range as SQL: a document whose stated date reaches into it (or has none, when asked)."""
        conditions: list[ColumnElement[bool]] = []
        if self.published_from is not None:
            conditions.append(func.coalesce(Document.published_end, Document.published) >= self.published_from)
        if self.published_to is not None:
            conditions.append(col(Document.published) <= self.published_to)
        if conditions and self.undated == "include":
            return [or_(col(Document.published).is_(None), and_(*conditions))]
        return conditions

    def _conditions(self, session: Session) -> list[ColumnElement[bool]]:
        """Every filter but the date range, as SQL on passages joined with their documents."""
        conditions = []
        visible = visible_condition(self.caller)
        if visible is not None:
            conditions.append(visible)
        if self.document_id is not None:
            readable_document(
                session, self.caller, self.document_id, "search in"
            )  # a clear error for an unknown document
            conditions.append(col(Document.id) == self.document_id)
        if self.kind is not None:
            conditions.append(col(Document.kind) == self.kind)
        if self.person is not None:
            person_id = resolve_person(session, self.person, self.caller)
            conditions.append(col(Passage.id).in_(select(Mention.passage_id).where(Mention.person_id == person_id)))
        if self.passage_ids is not None:
            after, through = self.passage_ids
            conditions += [col(Passage.id) > after, col(Passage.id) <= through]
        if self.language is not None:
            conditions.append(col(Passage.language) == self.language)
        return conditions


def document_kinds(session: Session, where: ColumnElement[bool] | None = None) -> list[str]:
    """The kinds of document the archive holds (among those `where` allows), for a filter's choices."""
    statement = select(Document.kind).distinct()
    return sorted(k for k in session.exec(statement if where is None else statement.where(where)).all() if k)

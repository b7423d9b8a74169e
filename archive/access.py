"""Who may see what: the one place that decides which documents (and so passages and persons) a caller may read.

`public` documents are for anyone, `internal` ones for any signed-in user, `restricted` ones for admins and members
of the document's groups. A document the caller may not see answers exactly like one that does not exist.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import cast

import numpy as np
from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from archive import audit, storage
from archive.errors import InvalidInputError, NotFoundError
from archive.models import Document, DocumentGroup, IngestJob, Passage, row_id

ACCESS_META_KEY = "access_revision"


class Role(str, Enum):
    viewer = "viewer"
    researcher = "researcher"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Visibility(str, Enum):
    public = "public"
    internal = "internal"
    restricted = "restricted"


def parse_visibility(value: str) -> Visibility:
    try:
        return Visibility(value.strip().lower())
    except ValueError:
        raise InvalidInputError(f"visibility must be public, internal or restricted, not {value!r}") from None


def clean_groups(groups: object) -> list[str]:
    """Group names, trimmed, without blanks or repeats (a comma-separated string or a list)."""
    items = [groups] if isinstance(groups, str) else list(groups or [])  # type: ignore[call-overload]
    names: list[str] = []
    for name in (part.strip() for item in items for part in str(item).split(",")):
        if len(name) > 100:
            raise InvalidInputError("a group name is at most 100 characters")
        if name and name not in names:
            names.append(name)
    return names


@dataclass(frozen=True)
class Caller:
    """Who is asking: anonymous (no name), or a user with a role and groups."""

    name: str | None = None
    role: Role | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        return self.name or "anonymous"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def at_least(self, role: Role) -> bool:
        return self.role is not None and self.role.rank >= role.rank

    @property
    def scope(self) -> tuple:
        """What decides what this caller sees: callers with the same scope see the same documents."""
        if self.is_admin:
            return ("all",)
        if self.role is None:
            return ("public",)
        return ("signed-in", tuple(sorted(self.groups)))


ANONYMOUS = Caller()
LOCAL = Caller(name="cli", role=Role.admin)  # the command line, run on the archive's own machine


def visible_condition(caller: Caller) -> ColumnElement[bool] | None:
    """The SQL condition on `Document` that the caller may read it; None when the caller may read everything."""
    if caller.is_admin:
        return None
    if caller.role is None:
        return col(Document.visibility) == Visibility.public.value
    seen = col(Document.visibility).in_([Visibility.public.value, Visibility.internal.value])
    if not caller.groups:
        return seen
    shared = select(DocumentGroup.document_id).where(col(DocumentGroup.group).in_(sorted(caller.groups)))
    return or_(seen, col(Document.id).in_(shared))


def visible_jobs_condition(caller: Caller) -> ColumnElement[bool] | None:
    """The SQL condition on `IngestJob` that the caller may see it: their own submissions, and jobs whose document
    they may read (a job names its file); None when the caller may see every job."""
    if caller.is_admin:
        return None
    readable = select(Document.id)
    condition = visible_condition(caller)
    if condition is not None:
        readable = readable.where(condition)
    return or_(col(IngestJob.submitted_by) == caller.actor, col(IngestJob.document_id).in_(readable))


def readable_document_ids(session: Session, caller: Caller, ids: set[int]) -> set[int]:
    """Which of these documents the caller may read."""
    if not ids:
        return set()
    query = select(Document.id).where(col(Document.id).in_(sorted(ids)))
    condition = visible_condition(caller)
    if condition is not None:
        query = query.where(condition)
    return {int(i) for i in session.exec(query).all() if i is not None}


def can_read(caller: Caller, document: Document, groups: list[str]) -> bool:
    if caller.is_admin or document.visibility == Visibility.public.value:
        return True
    if caller.role is None:
        return False
    return document.visibility == Visibility.internal.value or bool(caller.groups & set(groups))


def document_groups(session: Session, document_id: int) -> list[str]:
    return sorted(session.exec(select(DocumentGroup.group).where(DocumentGroup.document_id == document_id)).all())


def readable_document(session: Session, caller: Caller, document_id: int, action: str = "read document") -> Document:
    """The document if the caller may read it, else the same NotFoundError as for a missing one.

    A read of a restricted document is recorded in the audit trail as `action`."""
    document = session.get(Document, document_id)
    if document is None or not can_read(caller, document, document_groups(session, document_id)):
        raise NotFoundError(f"document {document_id} does not exist")
    if document.visibility == Visibility.restricted.value:
        audit.record(_engine(session), caller.actor, action, "document", document_id)
    return document


def readable_passage(session: Session, caller: Caller, passage_id: int) -> tuple[Passage, Document]:
    """The passage and its document if the caller may read them, else the NotFoundError of a missing passage."""
    passage = session.get(Passage, passage_id)
    try:
        if passage is None:
            raise NotFoundError("missing")
        return passage, readable_document(session, caller, passage.document_id, f"read passage {passage_id} of")
    except NotFoundError:
        raise NotFoundError(f"passage {passage_id} does not exist") from None


def audit_restricted_results(session: Session, caller: Caller, action: str, documents: list[Document]) -> None:
    """Record that results shown to the caller include restricted documents (their ids, nothing else)."""
    restricted = sorted({d.id for d in documents if d.visibility == Visibility.restricted.value and d.id is not None})
    if restricted:
        detail = "documents " + ", ".join(map(str, restricted))
        audit.record(_engine(session), caller.actor, action, "document", restricted[0], detail)


def set_visibility(
    session: Session, document: Document, visibility: Visibility | None, groups: list[str] | None
) -> None:
    """Change a document's visibility and/or groups (in the caller's transaction) and invalidate cached scopes."""
    if visibility is not None:
        document.visibility = visibility.value
        session.add(document)
    if groups is not None:
        session.exec(delete(DocumentGroup).where(col(DocumentGroup.document_id) == document.id))
        session.add_all(DocumentGroup(document_id=row_id(document), group=group) for group in groups)
    bump_revision(session)


def bump_revision(session: Session) -> None:
    """Mark visibility as changed, so every process drops the passage ids it cached per scope."""
    current = storage.get_meta(session, ACCESS_META_KEY) or {"revision": 0}
    storage.set_meta(session, ACCESS_META_KEY, {"revision": int(current["revision"]) + 1})


def _engine(session: Session) -> Engine:
    return cast("Engine", session.get_bind())


@dataclass(frozen=True)
class _Scope:
    """The passages one scope may see, as of a revision and a highest passage id."""

    revision: int
    newest: int
    allowed: np.ndarray | None  # None: every passage


class VisiblePassages:
    """The ids of the passages each scope may see, remembered per database and scope.

    Passages are only ever added (with their document), so a higher passage id means new documents: only their
    passages are looked at. A visibility change bumps the access revision (in the database, so other processes see
    it too) and the scope is computed again."""

    def __init__(self) -> None:
        self._cached: dict[tuple[str, tuple], _Scope] = {}
        self._lock = threading.Lock()

    def allowed(self, session: Session, caller: Caller) -> np.ndarray | None:
        """Ids of the passages the caller may see, sorted; None when the caller may see every passage."""
        condition = visible_condition(caller)
        if condition is None:
            return None
        newest = int(session.exec(select(func.max(Passage.id))).one() or 0)  # O(log n)
        revision = int((storage.get_meta(session, ACCESS_META_KEY) or {}).get("revision", 0))
        key = (str(_engine(session).url), caller.scope)
        with self._lock:
            known = self._cached.get(key)
        if known is not None and known.revision == revision and known.newest == newest:
            return known.allowed
        if known is not None and known.revision == revision and known.newest < newest:
            allowed = self._extended(session, condition, known)
        else:
            allowed = self._computed(session, condition, col(Passage.id) > 0)
        with self._lock:
            self._cached[key] = _Scope(revision, newest, allowed)
        return allowed

    @staticmethod
    def _computed(session: Session, condition: ColumnElement[bool], among: ColumnElement[bool]) -> np.ndarray | None:
        """The visible passages among `among`; None when none of them is hidden."""
        hidden = session.exec(select(Passage.id).join(Document).where(among, ~condition).limit(1)).first()
        return None if hidden is None else np.sort(storage.passage_ids_where(session, among, condition))

    def _extended(self, session: Session, condition: ColumnElement[bool], known: _Scope) -> np.ndarray | None:
        """The known scope with the passages added since."""
        added = col(Passage.id) > known.newest
        if known.allowed is None:  # nothing was hidden: still so unless a new passage is
            if self._computed(session, condition, added) is None:
                return None
            return self._computed(session, condition, col(Passage.id) > 0)
        return np.concatenate([known.allowed, np.sort(storage.passage_ids_where(session, added, condition))])


VISIBLE_PASSAGES = VisiblePassages()


@dataclass(frozen=True)
class Submission:
    """Who submits a file, who may read the document it becomes (None: the manifest's, else the default) and what
    the submitter states about it (an upload's title, date, ...: a manifest entry as JSON, read by indexing)."""

    by: str = LOCAL.actor
    visibility: Visibility | None = None
    groups: tuple[str, ...] = ()
    metadata: str | None = None

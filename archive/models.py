"""SQLModel tables. The database is the source of truth; the FAISS file is derived from `Passage.embedding`."""

from datetime import UTC, date, datetime
from enum import Enum
from typing import Protocol, cast

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Keyed(Protocol):
    id: int | None


def row_id(row: _Keyed) -> int:
    """The id of a row read from the database or flushed to it (SQLModel types every primary key `int | None`)."""
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} has no id yet: it was never flushed to the database")
    return row.id


def id_column(table: type[_Keyed]) -> Mapped[int]:
    """A table's primary key for queries: selected from stored rows, its values are never None."""
    return cast("Mapped[int]", table.id)


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, unique=True, max_length=64)
    source: str
    title: str
    publisher: str | None = None
    published: date | None = None  # the first day of the period the source states (a day, a month, a year, ...)
    published_end: date | None = None  # its last day; None means the day `published` itself
    authors: str | None = None  # "; "-separated, as the source names them
    url: str | None = None  # where the source was published, when it says so
    language: str | None = Field(default=None, max_length=8)
    kind: str | None = None
    page_count: int | None = None
    text: str
    created_at: datetime = Field(default_factory=utcnow)
    duplicate_of: int | None = Field(default=None, index=True)  # near-duplicate of this (earlier) document
    visibility: str = Field(  # public, internal or restricted (archive.access.Visibility)
        default="public", max_length=16, index=True, sa_column_kwargs={"server_default": "public"}
    )
    warnings: str | None = None  # what could not be read, one problem a line (e.g. "pages 2–3 could not be read")
    format: str | None = Field(default=None, max_length=16)  # pdf, text, html, docx, eml, ... (indexing.formats)
    properties: str | None = None  # JSON object of format-specific facts: an e-mail's from, to, cc, date, subject


class Passage(SQLModel, table=True):
    """A citable slice of a document: `text == document.text[char_start:char_end]`, always."""

    id: int | None = Field(default=None, primary_key=True)  # also the vector id in FAISS
    document_id: int = Field(foreign_key="document.id", index=True)
    ordinal: int
    char_start: int
    char_end: int
    page_start: int | None = None
    page_end: int | None = None  # the last page, when a sentence runs on across a page break
    text: str
    page_breaks: str | None = None  # JSON [[start, end], ...] relative to `text`: what lies between its pages
    heading: str | None = None  # context embedded with the passage (section heading or person)
    ocr: bool = False
    language: str | None = Field(default=None, index=True, max_length=2)  # en, ru or kk (language.scripts)
    content_hash: str = Field(index=True, max_length=64)  # sha256 of the embedded text and embedder
    embedding: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sentence_spans: str | None = None  # JSON [[start, end], ...] relative to `text`, see indexing.sentence_vectors
    sentence_vectors: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)


class PersonAlias(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("person_id", "alias"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    alias: str
    key: str = Field(index=True)  # normalised name key (case, script, transliteration folded)
    script: str | None = None


class Mention(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    passage_id: int = Field(foreign_key="passage.id", index=True)
    char_start: int  # offsets into the document text
    char_end: int


class PersonDecision(SQLModel, table=True):
    """An editor's decision about a name, stored by its identity key (indexing.persons.keys): the name is not a
    person, or it is the person `person_id` was merged into. Mentions are resolved through these first, at every
    ingest, so a decision outlives re-ingest and holds for new documents."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True)
    verdict: str = Field(max_length=16)  # not-a-person | same-person (indexing.persons.decisions)
    person_id: int = Field(foreign_key="person.id", index=True)  # where the name's mentions go (hidden if rejected)
    name: str  # the name the key was taken from
    decided_by: str = Field(max_length=100)
    decided_at: datetime = Field(default_factory=utcnow)


class JobState(str, Enum):
    queued = "queued"
    running = "running"
    indexed = "indexed"
    duplicate = "duplicate"
    failed = "failed"


class IngestJob(SQLModel, table=True):
    """One row per submitted file, written before any parsing so no file is ever lost."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, max_length=64)
    filename: str
    source_path: str | None = None  # where it was submitted from (CLI), for manifest.json / persons.json beside it
    stored_path: str | None = None
    state: JobState = Field(default=JobState.queued, index=True)
    reason: str | None = None
    attempts: int = 0
    document_id: int | None = Field(default=None, foreign_key="document.id")
    claimed_by: str | None = None  # the worker processing it (host:pid:nonce), while running
    lease_expires_at: datetime | None = None  # until then the job is that worker's; renewed while it works
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    visibility: str | None = None  # requested for the document it creates (None: manifest or default)
    groups: str | None = None  # requested groups, comma-separated
    submitted_by: str | None = None  # the actor, for the audit trail
    stage: str | None = Field(default=None, max_length=16)  # "reading" while the file's content is processed
    parent_job_id: int | None = Field(default=None, index=True)  # the job whose file held this one (an attachment)
    warnings: str | None = None  # JSON list of what could not be read, for a person (an unreadable attachment, ...)
    stated_metadata: str | None = None  # an upload's title, publisher, date, kind, language: a manifest entry (JSON)


class DocumentMinHash(SQLModel, table=True):
    """A document's MinHash signature over word shingles, to find near-duplicates (see indexing.near_duplicates)."""

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    signature: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MinHashBand(SQLModel, table=True):
    """One LSH band of a signature: documents sharing a band key are near-duplicate candidates."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, max_length=40)
    document_id: int = Field(foreign_key="document.id", index=True)


class ArchiveMeta(SQLModel, table=True):
    """Key/value facts about the archive, e.g. which embedder produced the stored embeddings."""

    key: str = Field(primary_key=True)
    value: str


class DocumentGroup(SQLModel, table=True):
    """A group whose members may read a restricted document."""

    __table_args__ = (UniqueConstraint("document_id", "group"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    group: str = Field(index=True, max_length=100)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    role: str = Field(max_length=16)  # viewer < researcher < editor < admin (archive.access.Role)
    created_at: datetime = Field(default_factory=utcnow)


class UserGroup(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "group"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    group: str = Field(index=True, max_length=100)


class ApiKey(SQLModel, table=True):
    """An API key of a user: only its sha256 is stored, and a short prefix to tell keys apart."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key_hash: str = Field(index=True, unique=True, max_length=64)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class RefusedKey(SQLModel, table=True):
    """A refused API key: from which address and with which key prefix, and when (never the key itself)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    address: str = Field(index=True, max_length=100)
    prefix: str = Field(index=True, max_length=16)


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to which record, and when (never request bodies or keys)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=100)
    action: str = Field(index=True, max_length=40)
    target_kind: str | None = Field(default=None, max_length=20)
    target_id: str | None = Field(default=None, max_length=100)
    detail: str | None = None


class SavedSearch(SQLModel, table=True):
    """A user's query with its filters, checked against the passages each ingest batch adds (search.alerts)."""

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(index=True, max_length=100)  # the user's name
    query: str
    filters: str  # JSON of the search filters that are set (SearchFilters.as_params)
    feed_token_hash: str = Field(index=True, unique=True, max_length=64)  # sha256 of the feed's secret token
    created_at: datetime = Field(default_factory=utcnow)
    checked_through: int = 0  # the highest passage id already looked at
    seen_through: int = 0  # the highest match id the owner has marked as seen


class SavedSearchMatch(SQLModel, table=True):
    """A passage, new when it was found, that answers a saved search: the span to cite and its score then."""

    __table_args__ = (UniqueConstraint("saved_search_id", "passage_id"),)

    id: int | None = Field(default=None, primary_key=True)
    saved_search_id: int = Field(foreign_key="savedsearch.id", index=True)
    passage_id: int = Field(foreign_key="passage.id", index=True)
    score: float
    char_start: int
    char_end: int
    found_at: datetime = Field(default_factory=utcnow)

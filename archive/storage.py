"""Storage functions: the only place that knows how records are read and written."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from archive.errors import NotFoundError
from archive.ids import in_range
from archive.models import ArchiveMeta, Document, Passage, id_column, row_id

EMBEDDER_META_KEY = "embedder"


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def bytes_to_vectors(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    if not blobs:
        return np.empty((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dim)


def get_document(session: Session, document_id: int) -> Document:
    document = session.get(Document, document_id) if in_range(document_id) else None
    if document is None:
        raise NotFoundError(f"document {document_id} does not exist")
    return document


def get_passage(session: Session, passage_id: int) -> Passage:
    passage = session.get(Passage, passage_id) if in_range(passage_id) else None
    if passage is None:
        raise NotFoundError(f"passage {passage_id} does not exist")
    return passage


def find_document_by_sha256(session: Session, sha256: str) -> Document | None:
    return session.exec(select(Document).where(Document.sha256 == sha256)).first()


def list_documents(
    session: Session, offset: int = 0, limit: int = 100, where: ColumnElement[bool] | None = None
) -> list[Document]:
    """Documents in id order; `where` narrows them (e.g. to those a reader may see)."""
    statement = select(Document) if where is None else select(Document).where(where)
    return list(session.exec(statement.order_by(col(Document.id)).offset(offset).limit(limit)))


def passages_with_documents(session: Session, passage_ids: Sequence[int]) -> dict[int, tuple[Passage, Document]]:
    """Passages and their documents by passage id, in one query."""
    if not passage_ids:
        return {}
    rows = session.exec(select(Passage, Document).join(Document).where(col(Passage.id).in_(list(passage_ids)))).all()
    return {row_id(passage): (passage, document) for passage, document in rows}


@dataclass(frozen=True)
class PassageVectors:
    passage_id: int
    document_id: int
    char_start: int
    char_end: int
    embedding: bytes
    sentence_vectors: bytes | None
    language: str | None = None


def passage_vectors(session: Session, passage_ids: Sequence[int]) -> list[PassageVectors]:
    """The stored vectors (and where each passage sits in its document) of the given passages, in one query."""
    if not len(passage_ids):
        return []
    statement = sqlalchemy.select(  # sqlmodel's select() is typed for up to 4 columns
        id_column(Passage),
        col(Passage.document_id),
        col(Passage.char_start),
        col(Passage.char_end),
        col(Passage.embedding),
        col(Passage.sentence_vectors),
        col(Passage.language),
    ).where(col(Passage.id).in_([int(i) for i in passage_ids]))
    rows = session.connection().execute(statement).all()
    return [PassageVectors(*row) for row in rows]


@dataclass(frozen=True)
class StoredEmbedding:
    embedding: bytes
    sentence_spans: str | None
    sentence_vectors: bytes | None


def embedded_by_hash(session: Session, hashes: Iterable[str]) -> dict[str, StoredEmbedding]:
    """Stored vectors (the passage's and its sentences') of texts embedded before, keyed by content hash."""
    wanted = list(set(hashes))
    found: dict[str, StoredEmbedding] = {}
    for start in range(0, len(wanted), 500):
        statement = sqlalchemy.select(
            col(Passage.content_hash),
            col(Passage.embedding),
            col(Passage.sentence_spans),
            col(Passage.sentence_vectors),
        ).where(col(Passage.content_hash).in_(wanted[start : start + 500]))
        for content_hash, embedding, spans, sentence_vectors in session.connection().execute(statement).all():
            found[content_hash] = StoredEmbedding(embedding, spans, sentence_vectors)
    return found


def iter_embeddings(
    session: Session, dim: int, batch_size: int = 20_000, after: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """All stored (ids, vectors) with an id above `after`, in id order, a batch at a time."""
    last_id = after
    while True:
        rows = session.exec(
            select(id_column(Passage), Passage.embedding)
            .where(id_column(Passage) > last_id)
            .order_by(col(Passage.id))
            .limit(batch_size)
        ).all()
        if not rows:
            return
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        yield ids, bytes_to_vectors([row[1] for row in rows], dim)
        last_id = int(ids[-1])


def embeddings_of(session: Session, passage_ids: Sequence[int], dim: int) -> np.ndarray:
    """The stored embeddings of the given passages (those that exist), in id order."""
    blobs: list[bytes] = []
    for start in range(0, len(passage_ids), 500):
        part = list(passage_ids[start : start + 500])
        blobs += session.exec(
            select(Passage.embedding).where(col(Passage.id).in_(part)).order_by(col(Passage.id))
        ).all()
    return bytes_to_vectors(blobs, dim)


def sample_embeddings(session: Session, dim: int, size: int, seed: int = 0) -> np.ndarray:
    """Up to `size` stored embeddings drawn evenly at random by id (all of them in a small archive)."""
    max_id = int(session.exec(select(func.max(Passage.id))).one() or 0)
    if max_id <= size:
        wanted = list(range(1, max_id + 1))
    else:
        wanted = sorted(int(i) for i in np.random.default_rng(seed).choice(max_id, size, replace=False) + 1)
    blobs: list[bytes] = []
    for start in range(0, len(wanted), 500):
        blobs += session.exec(select(Passage.embedding).where(col(Passage.id).in_(wanted[start : start + 500]))).all()
    return bytes_to_vectors(blobs, dim)


def passage_ids(session: Session) -> np.ndarray:
    ids = session.exec(select(Passage.id).order_by(col(Passage.id))).all()
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


def passage_ids_where(session: Session, *conditions) -> np.ndarray:
    """Ids of passages (joined with their documents) that satisfy the given SQL conditions."""
    ids = session.exec(select(Passage.id).join(Document).where(*conditions)).all()
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


@dataclass(frozen=True)
class PassageState:
    """A cheap fingerprint of the passages table, to notice changes made by another process."""

    count: int
    max_id: int


def passage_state(session: Session) -> PassageState:
    count, max_id = session.exec(select(func.count(col(Passage.id)), func.max(Passage.id))).one()
    return PassageState(int(count or 0), int(max_id or 0))


def count_documents(session: Session, where: ColumnElement[bool] | None = None) -> int:
    statement = select(func.count(col(Document.id)))
    return int(session.exec(statement if where is None else statement.where(where)).one())


def get_meta(session: Session, key: str) -> dict | None:
    row = session.get(ArchiveMeta, key)
    return json.loads(row.value) if row else None


def set_meta(session: Session, key: str, value: dict) -> None:
    row = session.get(ArchiveMeta, key) or ArchiveMeta(key=key, value="")
    row.value = json.dumps(value, sort_keys=True)
    session.add(row)

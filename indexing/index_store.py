"""The archive's live vector index: loaded from its file, checked against the database, kept in step with it.

The database is the source of truth. The FAISS file is a cache of the stored embeddings: at start-up it is checked
(embedder, ids) and brought in step, or rebuilt when it is missing, corrupt or was built by another embedder.
Passages written by another process (a CLI ingest while the server runs) are picked up on the next search.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from archive import storage
from archive.errors import EmbedderMismatchError
from archive.models import Passage
from archive.settings import Settings
from indexing.embed import describe
from indexing.vector_index import IndexSpec, VectorIndex, VectorIndexError, build_index, empty_index

log = logging.getLogger(__name__)

REFRESH_INTERVAL_S = 1.0


@dataclass(frozen=True)
class SyncReport:
    added: int
    removed: int
    rebuilt: bool
    reason: str | None = None


def check_embedder(session: Session, spec: IndexSpec) -> None:
    """Refuse to mix embedders: the stored embeddings must come from the configured one."""
    stored = storage.get_meta(session, storage.EMBEDDER_META_KEY)
    if stored is not None and IndexSpec(**stored) != spec:
        raise EmbedderMismatchError(
            f"this archive was embedded with {describe(IndexSpec(**stored))}, but {describe(spec)} is configured; "
            "run `archive reindex --re-embed` to re-embed every passage with the configured embedder, "
            "or configure the original one (ARCHIVE_EMBEDDER_BACKEND / ARCHIVE_EMBEDDER_MODEL)"
        )


def record_embedder(session: Session, spec: IndexSpec) -> None:
    storage.set_meta(session, storage.EMBEDDER_META_KEY, {"backend": spec.backend, "model": spec.model, "dim": spec.dim})


class IndexStore:
    """Owns the FAISS index of one archive. All methods are thread-safe."""

    def __init__(self, engine: Engine, settings: Settings, spec: IndexSpec) -> None:
        self._engine = engine
        self._settings = settings
        self._spec = spec
        self._lock = threading.RLock()
        self._index: VectorIndex = empty_index(spec)
        self._state = storage.PassageState(0, 0)
        self._checked_at = 0.0
        self._dirty = False

    @property
    def index(self) -> VectorIndex:
        return self._index

    def open(self) -> SyncReport:
        """Load the index file and bring it in step with the database (rebuilding it if it cannot be trusted)."""
        with self._lock, Session(self._engine) as session:
            check_embedder(session, self._spec)
            path = self._settings.index_path
            try:
                loaded = VectorIndex.load(path)
            except VectorIndexError as error:
                return self._rebuild(session, reason=str(error) if path.exists() else None)
            if loaded.spec != self._spec:
                return self._rebuild(session, reason="the index was built by another embedder")
            self._index = loaded
            return self._sync(session)

    def rebuild(self) -> SyncReport:
        """Build the index afresh from the stored embeddings (`archive reindex`)."""
        with self._lock, Session(self._engine) as session:
            check_embedder(session, self._spec)
            return self._rebuild(session, reason="requested")

    def refresh(self) -> None:
        """Pick up passages another process wrote or deleted (checked at most once a second)."""
        now = time.monotonic()
        if now - self._checked_at < REFRESH_INTERVAL_S:
            return
        with self._lock, Session(self._engine) as session:
            self._checked_at = now
            if storage.passage_state(session) != self._state:
                self._sync(session)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add freshly committed passages (the caller saves when its batch is done)."""
        with self._lock:
            self._index.add(ids, vectors)
            self._dirty = True
            with Session(self._engine) as session:
                self._state = storage.passage_state(session)

    def remove(self, ids: np.ndarray) -> None:
        with self._lock:
            self._index.remove(ids)
            self._dirty = True

    def save(self) -> None:
        """Write the index file atomically if anything changed since it was last written."""
        with self._lock:
            if self._dirty:
                self._index.save(self._settings.index_path)
                self._dirty = False

    def search(self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        self.refresh()
        with self._lock:
            return self._index.search(query, k, allowed_ids)

    def __len__(self) -> int:
        return len(self._index)

    # ------------------------------------------------------------------ internals
    def _rebuild(self, session: Session, reason: str | None) -> SyncReport:
        if reason:
            log.warning("rebuilding the vector index from stored embeddings: %s", reason)
        batches = list(storage.iter_embeddings(session, self._spec.dim))
        ids = np.concatenate([b[0] for b in batches]) if batches else np.empty(0, dtype=np.int64)
        vectors = np.concatenate([b[1] for b in batches]) if batches else np.empty((0, self._spec.dim), np.float32)
        self._index = build_index(self._spec, ids, vectors, exact_threshold=self._settings.exact_index_threshold)
        self._state = storage.passage_state(session)
        self._index.save(self._settings.index_path)
        self._dirty = False
        return SyncReport(added=len(ids), removed=0, rebuilt=True, reason=reason)

    def _sync(self, session: Session) -> SyncReport:
        """Add stored passages the index lacks and drop ids the database no longer has."""
        state = storage.passage_state(session)
        database_ids = storage.passage_ids(session)
        index_ids = self._index.ids()
        missing = np.setdiff1d(database_ids, index_ids, assume_unique=True)
        extra = np.setdiff1d(index_ids, database_ids, assume_unique=True)
        if extra.size:
            self._index.remove(extra)
        for start in range(0, missing.size, 20_000):
            chunk = missing[start : start + 20_000]
            rows = session.exec(
                select(Passage.id, Passage.embedding).where(col(Passage.id).in_(chunk.tolist())).order_by(col(Passage.id))
            ).all()
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            self._index.add(ids, storage.bytes_to_vectors([row[1] for row in rows], self._spec.dim))
        self._state = state
        if missing.size or extra.size:
            log.info("vector index brought in step: %d added, %d removed", missing.size, extra.size)
            self._index.save(self._settings.index_path)
        return SyncReport(added=int(missing.size), removed=int(extra.size), rebuilt=False)

"""The archive's live vector index: loaded from its file, checked against the database, kept in step with it.

The database is the source of truth. The FAISS file is a cache of the stored embeddings: at start-up it is checked
(embedder, ids) and brought in step, or rebuilt when it is missing, corrupt or was built by another embedder.
Passages written by another process (a CLI ingest while the server runs) are picked up on the next search.

Only the writer (the holder of the writer lock, see archive.lock) trains, rebuilds or saves the index: a search only
adds and drops vectors in memory, and a process that opens the archive while another one writes keeps its checked
index in memory and leaves the file to the writer.

On a database server (PostgreSQL) there is no index file: every process builds its index in memory from the stored
embeddings when it opens the archive, then adds the passages stored since, read by id above its watermark (document
commits are serialised, so passage ids become visible in increasing order: nothing below the watermark is missed).
Searches never train or rebuild it; `archive reindex` rebuilds the index of the process that runs it, and each API
process rebuilds its own when it starts.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from archive import storage
from archive.db import is_sqlite
from archive.errors import EmbedderMismatchError
from archive.lock import WriterLock
from archive.models import Passage
from archive.settings import Settings
from indexing.embed import describe
from indexing.vector_index import (
    FLAT,
    IndexSpec,
    VectorIndex,
    VectorIndexError,
    build_index,
    choose_nlist,
    empty_index,
)

log = logging.getLogger(__name__)

REFRESH_INTERVAL_S = 1.0
RERANK_FACTOR = 2  # approximate candidates per result, re-scored exactly (see IndexStore.search)


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
    storage.set_meta(
        session, storage.EMBEDDER_META_KEY, {"backend": spec.backend, "model": spec.model, "dim": spec.dim}
    )


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
        self._files: tuple | None = None  # database file stamp when the index was last known in step
        self._dirty = False
        self._shared = not is_sqlite(engine)  # a database server: no index file, see the module's docstring
        self._opened = False
        self._watermark = 0  # shared database: the highest passage id read

    @property
    def index(self) -> VectorIndex:
        return self._index

    def open(self) -> SyncReport:
        """Load the index file and bring it in step with the database (rebuilding it if it cannot be trusted).

        The corrected index is written back only if no other process is the writer at this moment. On a database
        server the index is built from the stored embeddings, in memory.
        """
        self._opened = True
        if self._shared:
            with self._lock, Session(self._engine) as session:
                check_embedder(session, self._spec)
                return self._rebuild(session, reason=None, persist=False)
        lock = WriterLock(self._settings.writer_lock_path)
        writer = lock.acquire(timeout=0)
        try:
            with self._lock, Session(self._engine) as session:
                check_embedder(session, self._spec)
                path = self._settings.index_path
                try:
                    loaded = VectorIndex.load(path)
                except VectorIndexError as error:
                    return self._rebuild(session, reason=str(error) if path.exists() else None, persist=writer)
                if loaded.spec != self._spec:
                    return self._rebuild(session, reason="the index was built by another embedder", persist=writer)
                self._index = loaded
                return self._sync(session, persist=writer)
        finally:
            if writer:
                lock.release()

    def rebuild(self) -> SyncReport:
        """Build the index afresh from the stored embeddings and save it (`archive reindex`; the caller writes)."""
        with self._lock, Session(self._engine) as session:
            check_embedder(session, self._spec)
            return self._rebuild(session, reason="requested", persist=not self._shared)

    def refresh(self, force: bool = False) -> None:
        """Pick up passages another process wrote or deleted (checked at most once a second unless `force`d), in
        memory only.

        With SQLite, the database files' sizes and times are compared first: counting a million passages takes
        ~100 ms, which a search must not pay every second when nothing was written.
        """
        now = time.monotonic()
        if now - self._checked_at < REFRESH_INTERVAL_S and not force:
            return
        with self._lock:
            self._checked_at = now
            if self._shared:
                self._read_new()
                return
            files = self._file_stamp()
            if files is not None and files == self._files:
                return
            with Session(self._engine) as session:
                if storage.passage_state(session) != self._state:
                    self._sync(session, persist=False)
            self._files = files

    def _file_stamp(self) -> tuple | None:
        """(size, mtime) of the SQLite database and its WAL: they change with every commit. None if not SQLite."""
        database = self._engine.url.database if self._engine.dialect.name == "sqlite" else None
        if not database or database == ":memory:":
            return None
        stamp: list[tuple[int, int] | None] = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(database + suffix)
                stamp.append((st.st_size, st.st_mtime_ns))
            except OSError:
                stamp.append(None)
        return tuple(stamp)

    def _read_new(self) -> int:
        """Shared database: add the passages stored above the watermark (by any process); returns how many."""
        if not self._opened:  # a worker that never searches holds no index
            return 0
        added = 0
        with Session(self._engine) as session:
            for ids, vectors in storage.iter_embeddings(session, self._spec.dim, after=self._watermark):
                self._index.add(ids, vectors)
                self._watermark = int(ids[-1])
                added += len(ids)
        if added:
            log.info("vector index: %d passages stored since the last sync added", added)
        return added

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add freshly committed passages (the caller saves when its batch is done).

        On a database server they are read back with every other passage stored since the last sync, in id order."""
        with self._lock:
            if self._shared:
                self._read_new()
                return
            self._index.add(ids, vectors)
            self._dirty = True
            with Session(self._engine) as session:
                self._state = storage.passage_state(session)

    def remove(self, ids: np.ndarray) -> None:
        with self._lock:
            self._index.remove(ids)
            self._dirty = True

    def save(self) -> None:
        """Write the index file atomically if anything changed since it was last written (the caller writes).

        An exact index that has grown past ``exact_index_threshold`` is rebuilt as IVF (trained on the stored
        embeddings) here, at the end of an ingest batch, rather than on every add.
        """
        with self._lock:
            if self._dirty and not self._shared:
                if self._outgrown():
                    with Session(self._engine) as session:
                        self._rebuild(session, reason=self._outgrown())
                    return
                self._index.save(self._settings.index_path)
                self._dirty = False

    def search(self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k nearest passages (id, inner product), best first.

        An approximate index is asked for RERANK_FACTOR x k candidates, which are re-scored exactly with their stored
        embeddings (k primary-key reads, ~1 ms): 8-bit codes blur near-ties, and this restores the exact order.
        """
        self.refresh()
        with self._lock:
            if self._index.kind == FLAT:
                return self._index.search(query, k, allowed_ids)
            candidates = self._index.search(query, RERANK_FACTOR * k, allowed_ids)
        return self._rerank(query, candidates, k)

    def _rerank(self, query: np.ndarray, candidates: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
        if not candidates:
            return []
        with Session(self._engine) as session:
            rows = session.exec(
                select(Passage.id, Passage.embedding).where(col(Passage.id).in_([i for i, _ in candidates]))
            ).all()
        if not rows:
            return candidates[:k]
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        scores = storage.bytes_to_vectors([row[1] for row in rows], self._spec.dim) @ np.asarray(query, np.float32)
        order = np.lexsort((ids, -scores))[:k]
        return [(int(ids[i]), float(scores[i])) for i in order]

    def __len__(self) -> int:
        return len(self._index)

    # ------------------------------------------------------------------ internals
    def _outgrown(self) -> str | None:
        """Why the current index kind no longer fits its size (an exact index past the threshold), else None."""
        threshold = self._settings.exact_index_threshold
        if self._index.kind == FLAT and len(self._index) >= threshold:
            return f"{len(self._index)} passages reached exact_index_threshold={threshold}: switching to IVF"
        return None

    def _ivf_hint(self) -> None:
        """An IVF index keeps working as it grows (longer lists: slower, not worse); say when retraining pays."""
        vi = self._index
        if vi.kind != FLAT and vi.nlist and choose_nlist(len(vi)) >= 4 * vi.nlist:
            log.warning(
                "the IVF index (%d lists) now holds %d passages; `archive reindex` retrains it with %d lists",
                vi.nlist,
                len(vi),
                choose_nlist(len(vi)),
            )

    def _rebuild(self, session: Session, reason: str | None, *, persist: bool = True) -> SyncReport:
        if reason:
            log.warning("rebuilding the vector index from stored embeddings: %s", reason)
        ids, vectors = _stored_embeddings(session, self._spec.dim)
        self._index = build_index(self._spec, ids, vectors, exact_threshold=self._settings.exact_index_threshold)
        self._state = storage.passage_state(session)
        self._watermark = int(ids[-1]) if len(ids) else 0
        self._dirty = not persist
        if persist:
            self._index.save(self._settings.index_path)
        return SyncReport(added=len(ids), removed=0, rebuilt=True, reason=reason)

    def _sync(self, session: Session, *, persist: bool) -> SyncReport:
        """Add stored passages the index lacks and drop ids the database no longer has.

        With `persist` (the writer), an index that outgrew its kind is rebuilt and any change is saved; without it,
        the changes stay in memory.
        """
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
                select(Passage.id, Passage.embedding)
                .where(col(Passage.id).in_(chunk.tolist()))
                .order_by(col(Passage.id))
            ).all()
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            self._index.add(ids, storage.bytes_to_vectors([row[1] for row in rows], self._spec.dim))
        self._state = state
        outgrown = self._outgrown()
        if outgrown and persist:
            self._rebuild(session, reason=outgrown)
            return SyncReport(added=int(missing.size), removed=int(extra.size), rebuilt=True, reason=outgrown)
        if missing.size or extra.size:
            log.info("vector index brought in step: %d added, %d removed", missing.size, extra.size)
            if persist:
                self._ivf_hint()
                self._index.save(self._settings.index_path)
        return SyncReport(added=int(missing.size), removed=int(extra.size), rebuilt=False)


def _stored_embeddings(session: Session, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Every stored (id, embedding), in id order, filled into preallocated arrays (no second copy at 1M rows)."""
    expected = storage.passage_state(session).count
    ids = np.empty(expected, dtype=np.int64)
    vectors = np.empty((expected, dim), dtype=np.float32)
    n = 0
    for batch_ids, batch_vectors in storage.iter_embeddings(session, dim):
        m = len(batch_ids)
        if n + m > len(ids):  # rows were added meanwhile
            ids = np.concatenate([ids[:n], np.empty(n + m, dtype=np.int64)])
            vectors = np.concatenate([vectors[:n], np.empty((n + m, dim), dtype=np.float32)])
        ids[n : n + m] = batch_ids
        vectors[n : n + m] = batch_vectors
        n += m
    return ids[:n], vectors[:n]

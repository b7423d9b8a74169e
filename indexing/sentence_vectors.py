"""Sentence vectors of a passage: each of its sentences embedded on its own, for re-ranking.

A passage vector averages its sentences; a question usually asks about one of them, and a statement translated
from another language matches its own translation far better than the paragraph around it. The re-ranker scores a
candidate passage by its best sentence as well as by the whole (see search.ranking). Stored with the passage as
float16 (half the bytes, no measurable loss for cosine ranking).
"""

from __future__ import annotations

import json

import numpy as np

from indexing.chunk import sentence_spans

MIN_SENTENCE_CHARS = 25  # shorter sentences ("Ibid.", "Photo: AP") say too little to rank by
MAX_SENTENCES = 16  # per passage (passages are ~700 characters; this bounds odd ones)


def passage_sentences(passage_text: str) -> list[tuple[int, int]]:
    """Offsets (relative to the passage) of the sentences worth a vector; empty for a one-sentence passage."""
    spans = [(start, end) for start, end in sentence_spans(passage_text) if end - start >= MIN_SENTENCE_CHARS]
    return spans[:MAX_SENTENCES] if len(spans) >= 2 else []


def encode_spans(spans: list[tuple[int, int]]) -> str | None:
    return json.dumps(spans, separators=(",", ":")) if spans else None


def decode_spans(encoded: str | None) -> list[tuple[int, int]]:
    return [(int(start), int(end)) for start, end in json.loads(encoded)] if encoded else []


def stored_sentences(
    passage_text: str, spans: str | None, vectors: bytes | None, dim: int
) -> list[tuple[str, np.ndarray]]:
    """(sentence text, vector) of the sentences a passage has stored vectors for."""
    return list(zip((passage_text[s:e] for s, e in decode_spans(spans)), unpack(vectors, dim)))


def pack(vectors: np.ndarray) -> bytes | None:
    return np.asarray(vectors, dtype=np.float16).tobytes() if len(vectors) else None


def unpack(blob: bytes | None, dim: int) -> np.ndarray:
    if not blob:
        return np.empty((0, dim), dtype=np.float32)
    return np.frombuffer(blob, dtype=np.float16).reshape(-1, dim).astype(np.float32)

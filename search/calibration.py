"""What "no good match" means for a query: no word of it is in the archive, nothing stands out, and it reads as noise.

Embedding models give every text a high cosine with every other (multilingual-e5: 0.70–0.90), so a raw score says
little about whether anything answers the query: "xqzv blorf" scores about as well as a real question. A query gets
no results only when three signals agree, each measured on the external benchmark set (benchmarks.retrieval: three
archives, 538 questions) and on noise strings ("xqzv blorf", "qwpo zzkx vlem", …):
- words: none of its informative words (nor their Latin spellings, nor a person it names) occurs in a candidate;
- standing: its best passage lies less than MIN_STANDING standard deviations above the query's cosines with the
  archive at large (a fixed random sample of stored passage vectors). Answerable questions stand at 3.0 or more
  there, noise at 2.1–3.0 (one at 3.8). In a small archive on one subject every passage is alike and real questions
  stand as low as noise (2.5 for some seed questions), hence the third signal;
- form: the embedder's own tokenizer cuts it into short pieces, fewer than MAX_NOISE_CHARS_PER_TOKEN letters each
  on average (noise: 1.5–2.3; the questions: median 3.7, 99% above 2.4).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from archive import storage
from archive.models import Passage
from search.ranking import Candidate

SAMPLE_SIZE = 4096  # stored passage vectors the query is compared with
REFRESH_GROWTH = 1.05  # the sample is drawn again when the archive has grown by this factor
MIN_STANDING = 3.0  # standard deviations above the query's mean cosine with the archive
MAX_NOISE_CHARS_PER_TOKEN = 2.6  # letters and digits per token below which a query may be noise


class ArchiveSample:
    """A random sample of the archive's passage vectors, kept while the archive has not grown much."""

    def __init__(self, engine: Engine, dim: int) -> None:
        self._engine = engine
        self._dim = dim
        self._lock = threading.Lock()
        self._vectors: np.ndarray | None = None
        self._max_id = 0

    def vectors(self, session: Session) -> np.ndarray:
        max_id = int(session.exec(select(func.max(Passage.id))).one() or 0)
        with self._lock:
            if self._vectors is None or max_id > self._max_id * REFRESH_GROWTH:
                self._vectors = storage.sample_embeddings(session, self._dim, SAMPLE_SIZE)
                self._max_id = max_id
            return self._vectors


def standing(best: float, query_vector: np.ndarray, sample: np.ndarray) -> float:
    """How many standard deviations `best` lies above the query's cosines with the sampled passages."""
    cosines = sample @ np.asarray(query_vector, dtype=np.float32)
    spread = float(cosines.std())
    return (best - float(cosines.mean())) / spread if spread > 0 else float("inf")


def chars_per_token(query: str, token_count: Callable[[str], int]) -> float:
    """Letters and digits per token of the embedder's tokenizer (special tokens not counted)."""
    pieces = token_count(query) - token_count("")
    return sum(1 for ch in query if ch.isalnum()) / pieces if pieces > 0 else float("inf")


def answers_query(
    candidates: list[Candidate],
    query: str,
    query_vector: np.ndarray,
    sample: np.ndarray,
    token_count: Callable[[str], int],
) -> bool:
    """True when some candidate may answer the query (see the module's docstring)."""
    if not candidates:
        return False
    if len(sample) < 2 or any(c.lexical > 0 or c.cross_lexical > 0 or c.person for c in candidates):
        return True
    best = max(c.plain_cosine for c in candidates)
    if standing(best, query_vector, sample) >= MIN_STANDING:
        return True
    return chars_per_token(query, token_count) >= MAX_NOISE_CHARS_PER_TOKEN

"""What "no good match" means for a query: how far its best passage stands out from the rest of the archive.

Embedding models give every text a high cosine with every other (multilingual-e5: 0.70–0.90), so a raw score says
little about whether anything answers the query: "xqzv blorf" scores about as well as a real question. What does
tell is how far the best passage stands above the query's cosines with the archive at large, in standard
deviations of those cosines (measured on a fixed random sample of stored passage vectors). On the external
benchmark set (benchmarks.retrieval) no answerable question scores below 3.6, while strings of noise score 2.0–2.5;
MIN_STANDING keeps a margin below the former. A passage that holds most of the query's words always counts.
"""

from __future__ import annotations

import threading

import numpy as np
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from archive import storage
from archive.models import Passage
from search.ranking import Candidate

SAMPLE_SIZE = 4096  # stored passage vectors the query is compared with
REFRESH_GROWTH = 1.05  # the sample is drawn again when the archive has grown by this factor
MIN_STANDING = 3.2  # standard deviations above the query's mean cosine with the archive
MIN_WORD_EVIDENCE = 0.5  # a passage holding this share of the query's informative words answers it


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


def answers_query(candidates: list[Candidate], query_vector: np.ndarray, sample: np.ndarray) -> bool:
    """True when some candidate answers the query well enough to be shown (see the module's docstring)."""
    if not candidates:
        return False
    if len(sample) < 2 or any(c.lexical >= MIN_WORD_EVIDENCE or c.person for c in candidates):
        return True
    best = max(max(c.dense, c.sentence) for c in candidates)
    return standing(best, query_vector, sample) >= MIN_STANDING

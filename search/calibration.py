"""What "no good match" means for a query: none of its words is in the archive, and no passage stands out.

Embedding models give every text a high cosine with every other (multilingual-e5: 0.70–0.90), so a raw score says
little about whether anything answers the query: "xqzv blorf" scores about as well as a real question. Two signals
do tell:
- words: a query some of whose informative words (or their Latin spellings, or a person it names) occur in a
  candidate passage is about something the archive holds;
- standing: how far the best passage lies above the query's cosines with the archive at large, in standard
  deviations of those cosines (a fixed random sample of stored passage vectors). On the external benchmark set
  (benchmarks.retrieval: three archives, 538 questions) answerable questions stand at 3.0 or more, noise strings
  ("xqzv blorf", "qwpo zzkx vlem", …) at 2.1–3.0 (one at 3.8). In a small archive on one subject every passage is
  alike and standings shrink (2.5–5 for the seed questions), so standing decides only for queries that share no
  word with the archive.
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
MIN_STANDING = 3.0  # standard deviations above the query's mean cosine with the archive


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
    if len(sample) < 2 or any(c.lexical > 0 or c.cross_lexical > 0 or c.person for c in candidates):
        return True
    best = max(max(c.dense, c.sentence) for c in candidates)
    return standing(best, query_vector, sample) >= MIN_STANDING

"""Query → dense and lexical candidates → fusion → filters → cited results."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

from archive import storage
from archive.db import is_sqlite
from archive.errors import InvalidInputError
from archive.models import Document, Passage
from indexing.embed import Embedder
from indexing.index_store import IndexStore
from indexing.lexical import lexical_search
from indexing.near_duplicates import drop_near_duplicate_passages
from search.filters import SearchFilters
from search.fusion import reciprocal_rank_fusion
from search.glossary import default_glossary
from search.persons import PersonDirectory, passages_mentioning, persons_of_passages

MAX_K = 100
MAX_QUERY_CHARS = 1000
CANDIDATES = 50  # per retriever, before fusion
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
PERSON_WEIGHT = 0.5  # passages tagged with a person the query names
QUERY_CACHE_SIZE = 256


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str


@dataclass(frozen=True)
class SearchHit:
    rank: int
    score: float
    passage: Passage
    document: Document
    persons: list[PersonRef] = field(default_factory=list)


class Searcher:
    """Hybrid search over one archive."""

    def __init__(self, engine: Engine, embedder: Embedder, index_store: IndexStore) -> None:
        self._engine = engine
        self._embedder = embedder
        self._index = index_store
        self._persons = PersonDirectory()
        # Researchers repeat and page through the same questions: their vectors are cached.
        self._query_vector = lru_cache(maxsize=QUERY_CACHE_SIZE)(embedder.embed_query)

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        query = " ".join(query.split())
        if not query:
            raise InvalidInputError("the query is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidInputError(f"the query is longer than {MAX_QUERY_CHARS} characters")
        if not 1 <= k <= MAX_K:
            raise InvalidInputError(f"k must be between 1 and {MAX_K}")
        filters = filters or SearchFilters()
        with Session(self._engine) as session:
            allowed = filters.allowed_passage_ids(session)
            if allowed is not None and allowed.size == 0:
                return []
            depth = max(CANDIDATES, k)
            query_vector = self._query_vector(query)
            dense = self._index.search(query_vector, depth, allowed)
            english = default_glossary().english_terms(query)
            lexical = lexical_search(session, query, depth, allowed, english) if is_sqlite(self._engine) else []
            named = self._passages_about_named_persons(session, query, query_vector, depth, allowed)
            fused = reciprocal_rank_fusion([dense, lexical, named], [DENSE_WEIGHT, LEXICAL_WEIGHT, PERSON_WEIGHT])
            if filters.document_id is None:  # near-duplicates (republished copies) show once: their original
                fused = drop_near_duplicate_passages(session, fused)
            fused = fused[:k]
            rows = storage.passages_with_documents(session, [item_id for item_id, _ in fused])
            persons = persons_of_passages(session, list(rows))
            return [
                SearchHit(
                    rank=rank,
                    score=score,
                    passage=rows[item_id][0],
                    document=rows[item_id][1],
                    persons=[PersonRef(person_id, name) for person_id, name in persons.get(item_id, [])],
                )
                for rank, (item_id, score) in enumerate(((i, s) for i, s in fused if i in rows), start=1)
            ]

    def _passages_about_named_persons(
        self, session: Session, query: str, query_vector: np.ndarray, depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """Passages tagged with a person the query names (in any script), ranked by the dense score."""
        person_ids = self._persons.persons_in(session, query)
        if not person_ids:
            return []
        tagged = np.array(passages_mentioning(session, person_ids), dtype=np.int64)
        if allowed is not None:
            tagged = np.intersect1d(tagged, allowed)
        return self._index.search(query_vector, depth, tagged) if tagged.size else []

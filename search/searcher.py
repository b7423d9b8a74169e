"""Query → dense and lexical candidates → fusion → filters → cited results."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlmodel import Session

from archive import storage
from archive.db import is_sqlite
from archive.errors import InvalidInputError
from archive.models import Document, Passage
from indexing.embed import Embedder
from indexing.index_store import IndexStore
from indexing.lexical import lexical_search
from search.filters import SearchFilters
from search.fusion import reciprocal_rank_fusion

MAX_K = 100
MAX_QUERY_CHARS = 1000
CANDIDATES = 50  # per retriever, before fusion
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.6
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
            dense = self._index.search(self._query_vector(query), depth, allowed)
            lexical = lexical_search(session, query, depth, allowed) if is_sqlite(self._engine) else []
            fused = reciprocal_rank_fusion([dense, lexical], [DENSE_WEIGHT, LEXICAL_WEIGHT])[:k]
            rows = storage.passages_with_documents(session, [item_id for item_id, _ in fused])
            return [
                SearchHit(rank=rank, score=score, passage=rows[item_id][0], document=rows[item_id][1])
                for rank, (item_id, score) in enumerate(((i, s) for i, s in fused if i in rows), start=1)
            ]

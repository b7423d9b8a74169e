"""The lexical side of a query: candidates by BM25 over stems, and how much of the query each passage matches.

Terms in the query's own script (stems, see indexing.analysis) and Latin spellings of its Cyrillic words (names in
English text) are matched separately, so the ranking can weigh a match across scripts for what it is worth.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Connection

from indexing.lexical import Term, bm25_search, best_possible_score, bounded_terms, query_terms


class WordEvidence:
    def __init__(self, connection: Connection, query: str) -> None:
        self._connection = connection
        terms = bounded_terms(connection, query_terms(query))
        self._same = [term for term in terms if not term.cross_script]
        self._cross = [term for term in terms if term.cross_script]
        self._same_best = best_possible_score(connection, self._same)
        self._cross_best = best_possible_score(connection, self._cross)

    def candidates(self, depth: int, allowed: np.ndarray | None) -> set[int]:
        """Passages with the highest BM25 for the query's words (and, apart, for their Latin spellings)."""
        found = {i for i, _ in bm25_search(self._connection, self._same, depth, allowed)}
        return found | {i for i, _ in bm25_search(self._connection, self._cross, depth, allowed)}

    def coverage(self, passage_ids: Sequence[int]) -> tuple[dict[int, float], dict[int, float]]:
        """For each passage: BM25 relative to a passage matching every informative word once (same script; across)."""
        return (
            self._relative(self._same, self._same_best, passage_ids),
            self._relative(self._cross, self._cross_best, passage_ids),
        )

    def _relative(self, terms: list[Term], best: float, passage_ids: Sequence[int]) -> dict[int, float]:
        if not terms or best <= 0 or not passage_ids:
            return {}
        return {i: score / best for i, score in bm25_search(self._connection, terms, len(passage_ids), passage_ids)}

"""The lexical side of a query: candidates by BM25 over stems, and how much of the query each passage matches.

Terms in the query's own script (stems, see indexing.analysis) and Latin spellings of its Cyrillic words (names in
English text) are matched separately, so the ranking can weigh a match across scripts for what it is worth. One
FTS query per group returns every match (their number is bounded, see indexing.lexical.MAX_MATCH_DOCS): the best are
candidates, and any candidate found by meaning looks its score up in the same result.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from indexing.lexical import Term, best_possible_score, bm25_search, bounded_terms, query_terms

ALL_MATCHES = -1  # SQLite's LIMIT -1


class WordEvidence:
    def __init__(self, connection: Connection, query: str, allowed: np.ndarray | None = None) -> None:
        terms = bounded_terms(connection, query_terms(query))
        same = [term for term in terms if not term.cross_script]
        cross = [term for term in terms if term.cross_script]
        self._same = _relative_scores(connection, same, allowed)
        self._cross = _relative_scores(connection, cross, allowed)

    def candidates(self, depth: int) -> set[int]:
        """The passages that match the query's words best (and, apart, their Latin spellings)."""
        return set(list(self._same)[:depth]) | set(list(self._cross)[:depth])

    def same_script(self, passage_id: int) -> float:
        """BM25 relative to a passage holding every informative word of the query once (0 when none matched)."""
        return self._same.get(passage_id, 0.0)

    def cross_script(self, passage_id: int) -> float:
        return self._cross.get(passage_id, 0.0)


def _relative_scores(connection: Connection, terms: list[Term], allowed: np.ndarray | None) -> dict[int, float]:
    """Every matching passage's BM25 divided by the best possible score of the terms, best first."""
    best = best_possible_score(connection, terms)
    if not terms or best <= 0:
        return {}
    return {i: score / best for i, score in bm25_search(connection, terms, ALL_MATCHES, allowed)}

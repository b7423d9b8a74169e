"""The lexical side of a query: candidates by BM25 over stems, and how much of the query each passage matches.

Terms in the query's own script (stems, see indexing.analysis) and Latin spellings of its Cyrillic words (names in
English text) are matched separately, so the ranking can weigh a match across scripts for what it is worth. Every
passage matching a group is scored once (their number is bounded, see search.lexical.MAX_MATCH_DOCS): the best are
candidates, and any candidate found by meaning looks its score up in the same result.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from search.lexical import Matches, Term, best_possible_score, bm25_matches, bounded_terms, query_terms


class WordEvidence:
    def __init__(self, connection: Connection, query: str, allowed: np.ndarray | None = None) -> None:
        terms = bounded_terms(connection, query_terms(query))
        self._same = _relative_scores(connection, [term for term in terms if not term.cross_script], allowed)
        self._cross = _relative_scores(connection, [term for term in terms if term.cross_script], allowed)

    def candidates(self, depth: int) -> set[int]:
        """The passages that match the query's words best (and, apart, their Latin spellings)."""
        return {i for group in (self._same, self._cross) for i, _ in group.best(depth)}

    def same_script(self, passage_ids: np.ndarray) -> np.ndarray:
        """BM25 relative to a passage holding every informative word of the query once (0 when none matched)."""
        return self._same.score_of(passage_ids)

    def cross_script(self, passage_ids: np.ndarray) -> np.ndarray:
        return self._cross.score_of(passage_ids)


def _relative_scores(connection: Connection, terms: list[Term], allowed: np.ndarray | None) -> Matches:
    """Every matching passage's BM25 divided by the best possible score of the terms."""
    best = best_possible_score(connection, terms)
    if not terms or best <= 0 or (allowed is not None and not len(allowed)):
        return Matches.none()
    matches = bm25_matches(connection, terms, allowed)
    return Matches(matches.ids, matches.scores / best)

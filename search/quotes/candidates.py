"""Passages that may hold a quote: by its words (BM25) and by its meaning (the embedder and the vector index)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlmodel import Session

from archive.access import Caller, visible_condition
from indexing.index_store import IndexStore
from indexing.near_duplicates import drop_near_duplicate_passages
from search.language_balance import nearest_in_each_language
from search.lexical import lexical_search

LEXICAL_CANDIDATES = 8
DENSE_CANDIDATES = 5  # overall, and as many again from each language's passages (a translation is in another)


def by_words(session: Session, quote: str, allowed: np.ndarray | None, originals_for: Caller | None) -> list[int]:
    """Passages sharing the quote's informative words, best BM25 first (a changed word still finds its source)."""
    ranked = lexical_search(session, quote, LEXICAL_CANDIDATES, allowed)
    return [item_id for item_id, _ in _originals(session, ranked, originals_for)]


def by_meaning(
    session: Session,
    index: IndexStore,
    quote_vector: np.ndarray,
    allowed: np.ndarray | None,
    originals_for: Caller | None,
    language_pools: Sequence[np.ndarray] = (),
) -> list[tuple[int, float]]:
    """Passages closest in meaning to the quote (translations, paraphrases), with their cosine similarity: the
    closest overall and the closest among each language's passages (`language_pools`), best first."""
    ranked = nearest_in_each_language(index, quote_vector, DENSE_CANDIDATES, allowed, language_pools)
    return _originals(session, ranked, originals_for)


def _originals(
    session: Session, ranked: list[tuple[int, float]], originals_for: Caller | None
) -> list[tuple[int, float]]:
    """Republished near-copies show once, as their original that the caller may see (as in search), unless a document
    was asked for (`originals_for` None)."""
    if originals_for is None:
        return ranked
    return drop_near_duplicate_passages(session, ranked, visible_condition(originals_for))

"""Lexical search over passage text with SQLite FTS5 (BM25). The index itself is kept by triggers (archive.db)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, text
from sqlmodel import Session

from indexing.persons.names import to_latin
from search.text import CYRILLIC, cyrillic_language, is_informative, matching_prefix, stem, words

MAX_TERMS = 24


# Bounds on the work of one lexical query. BM25 is computed for every passage that matches any OR-ed term, so a term
# found in a large share of a big archive ("court" in a million passages) costs a scan of its whole posting list and
# ranks nothing. Terms in more passages than MAX_TERM_DOCS are dropped, and the rarest terms are kept while their
# summed document frequency stays under MAX_MATCH_DOCS. Small archives (under MAX_TERM_DOCS passages) are unaffected.
MAX_TERM_DOCS = 3_000
MAX_MATCH_DOCS = 6_000
DF_CACHE_TTL_S = 600.0
DF_CACHE_SIZE = 50_000

_df_cache: dict[tuple[str, str], tuple[float, int]] = {}
_df_lock = threading.Lock()


@dataclass(frozen=True)
class Term:
    expression: str  # as written in the FTS5 query, e.g. '"court"' or '"akhmet"*'
    token: str
    prefix: bool
    cross_script: bool = False  # a Latin spelling of a Cyrillic word, to find names in English text


def query_terms(query: str) -> list[Term]:
    """The stems of the query's informative words (and Latin prefixes of Cyrillic ones), in order, at most MAX_TERMS."""
    tokens = words(query)
    cyrillic_as = cyrillic_language(" ".join(tokens))
    terms: dict[str, Term] = {}
    for word in tokens:
        if not is_informative(word):
            continue
        word_stem = stem(word, cyrillic_as)
        terms.setdefault(f'"{word_stem}"', Term(f'"{word_stem}"', word_stem, False))
        if CYRILLIC.search(word):
            latin = to_latin(word).lower()
            prefix = matching_prefix(latin)
            expression = f'"{prefix}"*' if prefix != latin else f'"{latin}"'
            terms.setdefault(expression, Term(expression, prefix, prefix != latin, cross_script=True))
    return list(terms.values())[:MAX_TERMS]


def idf(passages: int, frequency: int) -> float:
    """SQLite FTS5's BM25 idf of a term found in `frequency` of `passages` passages."""
    return max(math.log((passages - frequency + 0.5) / (frequency + 0.5)), 1e-6)


def _document_frequency(connection: Connection, term: Term) -> int:
    """Passages containing ``term``, counted up to MAX_TERM_DOCS + 1 (enough to decide; bounded work); cached."""
    key = (str(connection.engine.url), term.expression)
    now = time.monotonic()
    with _df_lock:
        hit = _df_cache.get(key)
    if hit is not None and now - hit[0] < DF_CACHE_TTL_S:
        return hit[1]
    # Counting rowids reads the term's posting list only (no BM25, no row lookups), and stops at the cap.
    sql = "SELECT count(*) FROM (SELECT rowid FROM passage_fts WHERE passage_fts MATCH :term LIMIT :cap)"
    df = int(connection.execute(text(sql), {"term": term.expression, "cap": MAX_TERM_DOCS + 1}).scalar() or 0)
    with _df_lock:
        if len(_df_cache) >= DF_CACHE_SIZE:
            _df_cache.clear()
        _df_cache[key] = (now, df)
    return df


def bounded_terms(connection: Connection, terms: list[Term]) -> list[Term]:
    """The terms worth matching: too-common ones dropped, the rarest kept within MAX_MATCH_DOCS (see above)."""
    frequencies = [(_document_frequency(connection, term), i, term) for i, term in enumerate(terms)]
    if sum(df for df, _, _ in frequencies) <= MAX_MATCH_DOCS and all(df <= MAX_TERM_DOCS for df, _, _ in frequencies):
        return terms
    kept: list[tuple[int, Term]] = []
    total = 0
    for df, i, term in sorted(frequencies, key=lambda item: item[:2]):
        if df > MAX_TERM_DOCS or (kept and total + df > MAX_MATCH_DOCS):
            break
        kept.append((i, term))
        total += df
    return [term for _, term in sorted(kept, key=lambda item: item[0])]


def lexical_search(
    session: Session, query: str, k: int, allowed_ids: Sequence[int] | np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Up to k (passage id, BM25 score) pairs for the query's stems, best first; higher scores are better.

    Only informative terms are matched (see MAX_TERM_DOCS): a query made only of words that most passages contain
    has no lexical candidates, and the dense side answers it.
    """
    connection = session.connection()
    return bm25_search(connection, bounded_terms(connection, query_terms(query)), k, allowed_ids)


@dataclass(frozen=True)
class Matches:
    """Every passage matching any of some terms, with its BM25 score; ids ascending."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def none(cls) -> Matches:
        return cls(np.empty(0, dtype=np.int64), np.empty(0))

    def best(self, k: int) -> list[tuple[int, float]]:
        """The k best (id, score) pairs, ties by id."""
        order = np.lexsort((self.ids, -self.scores))[: max(k, 0)]
        return [(int(self.ids[i]), float(self.scores[i])) for i in order]

    def score_of(self, passage_ids: np.ndarray) -> np.ndarray:
        """The scores of the given passages, 0 for those that match nothing."""
        passage_ids = np.asarray(passage_ids, dtype=np.int64)
        if not len(self.ids):
            return np.zeros(len(passage_ids))
        at = np.minimum(np.searchsorted(self.ids, passage_ids), len(self.ids) - 1)
        return np.where(self.ids[at] == passage_ids, self.scores[at], 0.0)


def bm25_matches(
    connection: Connection, terms: Sequence[Term], allowed_ids: Sequence[int] | np.ndarray | None = None
) -> Matches:
    """BM25 of every passage matching any of `terms`, as FTS5 scores their OR-query, computed one term at a time.

    FTS5's bm25() sums the contributions of the query's phrases, each with its own idf, so the sum of one-term
    scores equals the OR-query's score. One term at a time is much cheaper than an OR over prefix terms, whose merge
    cost grows with every term, and its cost is bounded by the terms' document frequencies (see bounded_terms).
    """
    ids: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection
    cursor = driver.cursor()  # plain rows: thousands per term, no ORM objects
    try:
        for term in terms:
            rows = cursor.execute(
                "SELECT rowid, -bm25(passage_fts) FROM passage_fts WHERE passage_fts MATCH ?", (term.expression,)
            ).fetchall()
            ids.append(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)))
            scores.append(np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows)))
    finally:
        cursor.close()
    if not ids:
        return Matches.none()
    all_ids, all_scores = np.concatenate(ids), np.concatenate(scores)
    if allowed_ids is not None:
        keep = np.isin(all_ids, np.asarray(allowed_ids, dtype=np.int64))
        all_ids, all_scores = all_ids[keep], all_scores[keep]
    unique, position = np.unique(all_ids, return_inverse=True)
    return Matches(unique, np.bincount(position, weights=all_scores, minlength=len(unique)))


def bm25_search(
    connection: Connection, terms: Sequence[Term], k: int, allowed_ids: Sequence[int] | np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Up to k (passage id, BM25 score) pairs of passages matching any of `terms`, best first, ties by id."""
    if not terms or (allowed_ids is not None and len(allowed_ids) == 0):
        return []
    return bm25_matches(connection, terms, allowed_ids).best(k)


def best_possible_score(connection: Connection, terms: Sequence[Term]) -> float:
    """The BM25 score of a passage of average length holding each term once: what "matches the whole query" scores.

    Dividing a passage's BM25 by it gives a figure comparable across queries (1.0: every informative word matched).
    """
    passages = _passage_count(connection)
    return sum(idf(passages, _document_frequency(connection, term)) for term in terms)


def _passage_count(connection: Connection) -> int:
    key = (str(connection.engine.url), "")
    now = time.monotonic()
    with _df_lock:
        hit = _df_cache.get(key)
    if hit is not None and now - hit[0] < DF_CACHE_TTL_S:
        return hit[1]
    count = int(connection.execute(text("SELECT max(rowid) FROM passage")).scalar() or 0)
    with _df_lock:
        _df_cache[key] = (now, count)
    return count


def indexed_passages(session: Session) -> int:
    """How many passages the FTS index holds (its own row count, not the content table's)."""
    return int(session.connection().execute(text("SELECT count(*) FROM passage_fts_docsize")).scalar() or 0)

"""The query side of lexical search: a query's terms, bounded to the informative ones, scored with BM25 over either
database's index (indexing.lexical_index)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, text
from sqlmodel import Session

from indexing.lexical_index import cached, idf, lexical_index
from indexing.persons.names import to_latin
from language.scripts import CYRILLIC, cyrillic_language
from language.words import is_informative, matching_prefix, stem, words

MAX_TERMS = 24


# Bounds on the work of one lexical query. BM25 is computed for every passage that matches any OR-ed term, so a term
# found in a large share of a big archive ("court" in a million passages) costs a scan of its whole posting list and
# ranks nothing. Terms in more passages than MAX_TERM_DOCS are dropped, and the rarest terms are kept while their
# summed document frequency stays under MAX_MATCH_DOCS. Small archives (under MAX_TERM_DOCS passages) are unaffected.
MAX_TERM_DOCS = 3_000
MAX_MATCH_DOCS = 6_000


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


def _document_frequency(connection: Connection, term: Term) -> int:
    """Passages containing ``term``, counted up to MAX_TERM_DOCS + 1 (enough to decide; bounded work); cached."""
    index = lexical_index(connection)
    return int(cached(connection, term.expression, lambda: index.frequency(term.token, term.prefix, MAX_TERM_DOCS + 1)))


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
    scores equals the OR-query's score (PostgreSQL's index computes the same per-term BM25). One term at a time is
    much cheaper than an OR over prefix terms, whose merge cost grows with every term, and its cost is bounded by the
    terms' document frequencies (see bounded_terms).
    """
    found = lexical_index(connection).scores([(term.token, term.prefix) for term in terms])
    ids = [term_ids for term_ids, _ in found]
    scores = [term_scores for _, term_scores in found]
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
    return int(cached(connection, "", lambda: connection.execute(text("SELECT max(id) FROM passage")).scalar() or 0))

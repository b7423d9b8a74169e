"""Score-aware ranking of candidate passages: meaning first, words as evidence, never bare rank fusion.

Every candidate (found by the dense index, the lexical index or a person the query names) is scored on the same
features, so a passage's place depends on how well it matches, not on which list it came from:

- `dense`: cosine of the query and the passage vector;
- `sentence`: cosine of the query and the passage's best-matching sentence (indexing.sentence_vectors);
- `lexical`: BM25 of the query's stems in the passage divided by what a passage matching every informative word
  once would score (search.lexical.best_possible_score): 1.0 means "all the query's words are here", a stray
  common word scores little. Capped at LEXICAL_CAP so repetition cannot outweigh meaning;
- `cross_lexical`: the same for Latin spellings of a Cyrillic query's words (names in English text): a match across
  scripts is weak evidence and weighs less;
- `person`: the passage is tagged with a person the query names.

The weights were measured on the external benchmark set (benchmarks.retrieval), not on the seed questions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from archive.storage import PassageVectors, bytes_to_vectors
from indexing.sentence_vectors import unpack

SENTENCE_WEIGHT = 0.7  # share of the semantic score that the best sentence decides
LEXICAL_WEIGHT = 0.04
CROSS_LEXICAL_WEIGHT = 0.02
PERSON_WEIGHT = 0.01
LEXICAL_CAP = 1.0


@dataclass(frozen=True)
class Candidate:
    passage_id: int
    document_id: int
    span: tuple[int, int]  # characters of the document the passage covers
    dense: float
    sentence: float
    lexical: float = 0.0
    cross_lexical: float = 0.0
    person: bool = False
    language: str | None = None  # the passage's (en, ru, kk; None when it has no letters)
    offset: float = 0.0  # set by search.language_balance in an archive of several languages,
    word_scale: float = 1.0  # ... and this, which weighs the words' bonus
    cosine: float | None = None  # the best plain cosine (passage or sentence), before language balance

    @property
    def semantic(self) -> float:
        """Meaning alone: the passage's cosine, raised by its best sentence when that matches better."""
        return (1 - SENTENCE_WEIGHT) * self.dense + SENTENCE_WEIGHT * max(self.dense, self.sentence)

    @property
    def plain_cosine(self) -> float:
        """How close the passage (or its best sentence) is to the query, as the embedder alone says."""
        return self.cosine if self.cosine is not None else max(self.dense, self.sentence)

    @property
    def word_bonus(self) -> float:
        """What the query's words (and their Latin spellings) add."""
        return self.word_scale * (
            LEXICAL_WEIGHT * min(self.lexical, LEXICAL_CAP)
            + CROSS_LEXICAL_WEIGHT * min(self.cross_lexical, LEXICAL_CAP)
        )

    @property
    def score(self) -> float:
        return self.semantic + self.word_bonus + PERSON_WEIGHT * self.person + self.offset


def rank(candidates: list[Candidate]) -> list[Candidate]:
    """Best first; ties broken by the dense score, then by passage id, so results are deterministic."""
    return sorted(candidates, key=lambda c: (-c.score, -c.dense, c.passage_id))


def semantic_scores(
    rows: Sequence[PassageVectors],
    query_vector: np.ndarray,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per passage: its cosine, and its best sentence's (its own cosine when it has no sentence vectors).

    All sentences of all candidates are scored in one matrix product. `transform` maps vectors (the query's too)
    before they are compared, e.g. to remove their language component (search.language_balance).
    """
    transform = transform or (lambda vectors: vectors)
    dim = len(query_vector)
    query_vector = transform(np.asarray(query_vector, dtype=np.float32))
    if not rows:
        return np.empty(0), np.empty(0)
    dense = transform(bytes_to_vectors([row.embedding for row in rows], dim)) @ query_vector
    counts = np.array([len(row.sentence_vectors or b"") // (2 * dim) for row in rows])
    sentence = dense.copy()
    if counts.any():
        scores = transform(unpack(b"".join(row.sentence_vectors or b"" for row in rows), dim)) @ query_vector
        has = counts > 0
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[has]
        sentence[has] = np.maximum.reduceat(scores, starts)
    return dense.astype(np.float64), sentence.astype(np.float64)


@dataclass(frozen=True)
class Ranked:
    """A ranked candidate and the part of it to cite: all of it, or what a better result of its document left."""

    candidate: Candidate
    char_start: int
    char_end: int


def without_overlaps(ranked: list[Candidate]) -> list[Ranked]:
    """Each result cut to what better-ranked results of the same document have not shown yet.

    Passages overlap by a sentence (indexing.chunk); a passage whose text a better result already shows entirely
    is left out, one that shares its first or last sentence with one is cited without that sentence.
    """
    results: list[Ranked] = []
    shown: dict[int, list[tuple[int, int]]] = {}
    for candidate in ranked:
        start, end = candidate.span
        taken = shown.setdefault(candidate.document_id, [])
        for other_start, other_end in taken:
            if other_start <= start < other_end:
                start = other_end
            if other_start < end <= other_end:
                end = other_start
        if end <= start or any(start < other_end and other_start < end for other_start, other_end in taken):
            continue  # nothing new, or only a piece inside what is shown
        taken.append((start, end))
        results.append(Ranked(candidate, start, end))
    return results

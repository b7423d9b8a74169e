"""Fair ranking across languages: each language's passages drawn and scored on a common scale.

A multilingual embedder carries a strong language signal: a passage about anything in the query's language shares
more with the query than a passage in another language about the very thing asked. In an archive that holds
English, Russian and Kazakh at once, a Russian question is then answered with off-topic Russian text.

Measures, all estimated from the archive itself (a random sample of each language's passage vectors) and kept
current as it grows; an archive that holds one language (or too few passages of the others) is left as it is:

- Candidates by meaning are drawn per language (the best of each language's passages), so a language the query is
  not written in is never crowded out of the pool before scoring.
- The language component is removed from query and passage vectors: the directions along which a linear model tells
  the archive's languages apart (ridge regression of the language on the vectors, PROJECTION_ROUNDS times, each
  round's directions projected out) — an iterative null-space projection. What is left says what a text is about.
- Cosines are calibrated per passage language and query: the query's cosines with each language's sample give that
  language's mean and spread, and a candidate's semantic score is mapped from its language's scale onto the query's
  own language's (an affine map: the same standing above its language's mean gives the same score). Within one
  language the order is unchanged.
- Words (search.word_evidence) can only match passages in the query's language; their bonus is therefore partly
  measured against the best bonus among each language's leading candidates (WORD_BALANCE), so that matching words
  reorders a language's passages more than it lifts the language as a whole (and words weigh WORD_SCALE times what
  they weigh in an archive of one language). The query's own language keeps a small prior (SAME_LANGUAGE_PRIOR).

The figures (benchmarks.retrieval --mixed: the external set in one archive) are in the README's Quality section.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from archive import storage
from archive.models import Passage, id_column
from indexing.index_store import IndexStore
from language.scripts import LANGUAGES, guess_language
from search.ranking import Candidate

SAMPLE_PER_LANGUAGE = 1024  # passage vectors per language the query is compared with
MIN_SAMPLE = 5  # fewer passages than this in a language: its cosines are left as they are
SPREAD_PRIOR = 30  # a small language's spread is drawn toward all languages' as if by this many passages
REFRESH_GROWTH = 1.05  # a language's sample is drawn again when it has grown by this factor
PROJECTION_ROUNDS = 2  # rounds of projecting out the directions that tell the languages apart
RIDGE = 0.1  # regularisation of the language regression
WORD_SCALE = 2.0  # words weigh this much more than in an archive of one language, as they are balanced (below)
WORD_BALANCE = 0.4  # share of the best word bonus among a language's leading candidates taken off its passages
LEADING = 50  # candidates per language whose best word bonus is measured
SAME_LANGUAGE_PRIOR = 0.008  # added to the score of passages in the query's own language


@dataclass(frozen=True)
class _LanguageState:
    newest: int  # highest passage id looked at
    ids: dict[str, np.ndarray]  # sorted passage ids per language
    samples: dict[str, np.ndarray]  # sampled passage vectors per language
    sampled_at: dict[str, int]  # how many passages the language had when its sample was drawn
    projection: np.ndarray | None  # removes the language component (None: fewer than two estimable languages)


class ArchiveLanguages:
    """The passages of each language and a sample of their vectors, for one archive; extended as it grows.

    Passages are only ever added with their document, so passages above the highest id seen are all that is new.
    """

    def __init__(self, engine: Engine, dim: int) -> None:
        self._engine = engine
        self._dim = dim
        self._lock = threading.Lock()
        self._state = _LanguageState(0, {}, {}, {}, None)

    def state(self, session: Session) -> _LanguageState:
        newest = int(session.exec(select(func.max(Passage.id))).one() or 0)
        with self._lock:
            state = self._state
        if newest == state.newest:
            return state
        ids = dict(state.ids)
        rows = session.exec(select(id_column(Passage), Passage.language).where(id_column(Passage) > state.newest)).all()
        for language in LANGUAGES:
            added = np.fromiter((i for i, lang in rows if lang == language), dtype=np.int64)
            if added.size:
                ids[language] = np.union1d(ids.get(language, np.empty(0, np.int64)), added)
        samples, sampled_at, projection = dict(state.samples), dict(state.sampled_at), state.projection
        resampled = False
        for language, language_ids in ids.items():
            if language_ids.size > sampled_at.get(language, 0) * REFRESH_GROWTH:
                samples[language] = _sample(session, language_ids, self._dim)
                sampled_at[language] = int(language_ids.size)
                resampled = True
        if resampled:
            projection = language_projection(samples)
        state = _LanguageState(newest, ids, samples, sampled_at, projection)
        with self._lock:
            if state.newest >= self._state.newest:
                self._state = state
        return state


def _sample(session: Session, ids: np.ndarray, dim: int, seed: int = 0) -> np.ndarray:
    chosen = ids if ids.size <= SAMPLE_PER_LANGUAGE else np.random.default_rng(seed).choice(ids, SAMPLE_PER_LANGUAGE)
    return storage.embeddings_of(session, [int(i) for i in np.unique(chosen)], dim)


def nearest_in_each_language(
    index: IndexStore,
    query_vector: np.ndarray,
    depth: int,
    allowed: np.ndarray | None,
    pools: Sequence[np.ndarray],
) -> list[tuple[int, float]]:
    """The `depth` nearest passages overall and, apart, the `depth` nearest of each language's passages (`pools`,
    within `allowed`): each passage once, best first."""
    found = dict(index.search(query_vector, depth, allowed))
    for pool in pools:
        within = pool if allowed is None else np.intersect1d(pool, allowed, assume_unique=True)
        if within.size:
            found.update(index.search(query_vector, depth, within))
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))


def language_projection(samples: dict[str, np.ndarray]) -> np.ndarray | None:
    """A matrix that removes the directions telling the sampled languages apart; None with fewer than two."""
    usable = {language: vectors for language, vectors in samples.items() if len(vectors) >= MIN_SAMPLE}
    if len(usable) < 2:
        return None
    vectors = np.concatenate(list(usable.values())).astype(np.float64)
    labels = np.concatenate([np.full(len(v), i) for i, v in enumerate(usable.values())])
    targets = np.eye(len(usable))[labels]
    targets -= targets.mean(axis=0)
    centred = vectors - vectors.mean(axis=0)
    projection = np.eye(vectors.shape[1])
    for _ in range(PROJECTION_ROUNDS):
        projected = centred @ projection
        weights = np.linalg.solve(
            projected.T @ projected + RIDGE * np.eye(projected.shape[1]), projected.T @ targets
        )  # one direction per language
        directions, _ = np.linalg.qr(weights)
        projection = projection - (projection @ directions) @ directions.T
    return projection.astype(np.float32)


def project(vectors: np.ndarray, projection: np.ndarray | None) -> np.ndarray:
    """Vectors with the language component removed, normalised again (unchanged without a projection)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if projection is None:
        return vectors
    projected = vectors @ projection
    return projected / np.maximum(np.linalg.norm(projected, axis=-1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class Scale:
    mean: float
    spread: float


class LanguageCalibration:
    """Maps a passage's cosine with one query from its language's scale onto the query language's."""

    def __init__(
        self,
        scales: dict[str, Scale],
        reference: Scale | None,
        query_language: str | None = None,
        projection: np.ndarray | None = None,
    ) -> None:
        self._scales = scales
        self._reference = reference
        self.query_language = query_language
        self.projection = projection

    @property
    def active(self) -> bool:
        """Whether the archive holds several languages to balance."""
        return self._reference is not None

    @classmethod
    def of(
        cls,
        query_vector: np.ndarray,
        query_language: str | None,
        samples: dict[str, np.ndarray],
        projection: np.ndarray | None = None,
    ) -> LanguageCalibration:
        """The calibration for one query (its vector as embedded, its language by its letters)."""
        query_vector = project(query_vector, projection)
        cosines = {
            language: project(vectors, projection) @ query_vector
            for language, vectors in samples.items()
            if len(vectors) >= MIN_SAMPLE
        }
        if len(cosines) < 2:
            return cls({}, None, query_language)  # one language (or none estimable): nothing to balance
        pooled = float(np.concatenate(list(cosines.values())).std())
        scales: dict[str, Scale] = {}
        for language, values in cosines.items():
            spread = (len(values) * float(values.std()) + SPREAD_PRIOR * pooled) / (len(values) + SPREAD_PRIOR)
            if spread > 0:
                scales[language] = Scale(float(values.mean()), spread)
        reference = scales.get(query_language or "") or Scale(
            float(np.concatenate(list(cosines.values())).mean()), pooled or 1.0
        )
        return cls(scales, reference, query_language, projection)

    def calibrated(self, score: float, language: str | None) -> float:
        """`score` as it would read on the query language's scale (unchanged for that language or an unknown one)."""
        scale = self._scales.get(language or "")
        if scale is None or self._reference is None:
            return score
        return self._reference.mean + (score - scale.mean) * self._reference.spread / scale.spread

    def language_ids(self) -> list[str]:
        return sorted(self._scales)


def balanced(candidates: list[Candidate], calibration: LanguageCalibration) -> list[Candidate]:
    """Candidates with each language's word balance and the query language's prior in their `offset`."""
    if not calibration.active:
        return candidates
    candidates = [replace(c, word_scale=WORD_SCALE) for c in candidates]
    offsets: dict[str | None, float] = {}
    for language in {c.language for c in candidates}:
        leading = sorted((c for c in candidates if c.language == language), key=lambda c: -c.semantic)[:LEADING]
        best_words = max((c.word_bonus for c in leading), default=0.0)
        prior = SAME_LANGUAGE_PRIOR if language == calibration.query_language else 0.0
        offsets[language] = prior - WORD_BALANCE * best_words
    return [replace(c, offset=offsets[c.language]) for c in candidates]


LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "kk": "Kazakh"}


def answer_languages(query: str, languages: list[str | None]) -> str | None:
    """A sentence for readers when results are in other languages than the query's, else None.

    e.g. "Asked in Russian: of these 10 results, 7 in English and 1 in Kazakh. The archive answers ..." """
    asked = guess_language(query, min_letters=1)
    others = Counter(language for language in languages if language and language != asked)
    if asked not in LANGUAGE_NAMES or not others:
        return None
    parts = [f"{count} in {LANGUAGE_NAMES[language]}" for language, count in others.most_common()]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    asked_in, total = LANGUAGE_NAMES[asked], len(languages)
    return f"Asked in {asked_in}: of these {total} results, {listed}. The archive answers from every language."

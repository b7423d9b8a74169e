"""Query → candidates by meaning, words and persons → one score for each → filters → cited results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

from archive import storage
from archive.access import audit_restricted_results, visible_condition
from archive.models import Document, Passage
from indexing.embed import Embedder
from indexing.index_store import IndexStore
from indexing.near_duplicates import drop_near_duplicate_passages
from language.scripts import guess_language
from search.calibration import ArchiveSample, answers_query
from search.filters import SearchFilters
from search.language_balance import (
    ArchiveLanguages,
    LanguageCalibration,
    balanced,
    nearest_in_each_language,
    project,
)
from search.persons import PersonDirectory, passages_mentioning, persons_of_passages
from search.ranking import Candidate, rank, semantic_scores, without_overlaps
from search.validation import require_count, require_offset, require_text
from search.word_evidence import WordEvidence

MAX_K = 100
MAX_OFFSET = 1000
MAX_QUERY_CHARS = 1000
# Candidates per retriever, each then scored on the same features (search.ranking). Every page of a search is cut
# from the ranking of these same candidates, so the order and the total do not change while paging.
RANKING_DEPTH = 50
QUERY_CACHE_SIZE = 256


class SearchMode(str, Enum):
    hybrid = "hybrid"  # dense, lexical and person candidates, fused and re-ranked
    dense = "dense"  # plain cosine search over the stored vectors


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
    char_start: int  # the cited span: the passage, or the part of it that better results do not show already
    char_end: int
    persons: list[PersonRef] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.document.text[self.char_start : self.char_end]

    @property
    def language(self) -> str | None:
        """The passage's language (stored when it was indexed): what results report and the language filter selects."""
        return self.passage.language


@dataclass(frozen=True)
class SearchPage:
    """One page of results: `hits` from rank `offset + 1` on, and `total` results (None when not counted).

    `total` is the length of the whole ranking the pages are cut from (the same for every page of a search);
    `undated_excluded` counts the undated documents a date filter left out (0 without one)."""

    hits: list[SearchHit]
    total: int | None
    offset: int = 0
    undated_excluded: int = 0


class Searcher:
    """Hybrid search over one archive."""

    def __init__(
        self, engine: Engine, embedder: Embedder, index_store: IndexStore, languages: ArchiveLanguages | None = None
    ) -> None:
        self._engine = engine
        self._embedder = embedder
        self._index = index_store
        self._persons = PersonDirectory()
        self._archive_sample = ArchiveSample(engine, embedder.spec.dim)
        self._languages = languages or ArchiveLanguages(engine, embedder.spec.dim)
        # Researchers repeat and page through the same questions: their vectors are cached.
        self._query_vector = lru_cache(maxsize=QUERY_CACHE_SIZE)(embedder.embed_query)

    def search(
        self, query: str, k: int = 10, filters: SearchFilters | None = None, mode: SearchMode = SearchMode.hybrid
    ) -> list[SearchHit]:
        return self.search_page(query, k, filters=filters, mode=mode).hits

    def search_page(
        self,
        query: str,
        k: int = 10,
        offset: int = 0,
        filters: SearchFilters | None = None,
        mode: SearchMode = SearchMode.hybrid,
    ) -> SearchPage:
        """Results `offset`..`offset + k` of the ranking (ranks count from the first page), and how many there are."""
        query = require_text(" ".join(query.split()), "query", MAX_QUERY_CHARS)
        require_count(k, MAX_K)
        require_offset(offset, MAX_OFFSET)
        filters = filters or SearchFilters()
        with Session(self._engine) as session:
            allowed = filters.allowed_passage_ids(session)
            undated = filters.undated_excluded(session)
            if allowed is not None and allowed.size == 0:
                return SearchPage([], 0, offset, undated)
            query_vector = self._query_vector(query)
            if mode is SearchMode.dense:
                found = self._index.search(query_vector, offset + k, allowed)
                hits = self._hits(session, [(i, score, None) for i, score in found], offset)
                audit_restricted_results(session, filters.caller, "search", [hit.document for hit in hits])
                return SearchPage(hits, None, offset, undated)
            # The same candidates whatever the page: the ranking, and so its total, do not change while paging.
            candidates = self.candidates(session, query, query_vector, RANKING_DEPTH, allowed)
            sample = self._archive_sample.vectors(session)
            if not answers_query(candidates, query, query_vector, sample, self._embedder.token_count):
                return SearchPage([], 0, offset, undated)  # nothing stands out from the archive: no answer, not noise
            results = without_overlaps(rank(candidates))
            if filters.document_id is None:  # near-duplicates (republished copies) show once: their original
                ranked = [(r.candidate.passage_id, 0.0) for r in results]
                shown = {i for i, _ in drop_near_duplicate_passages(session, ranked, visible_condition(filters.caller))}
                results = [r for r in results if r.candidate.passage_id in shown]
            hits = self._hits(
                session,
                [
                    (r.candidate.passage_id, r.candidate.score, (r.char_start, r.char_end))
                    for r in results[: offset + k]
                ],
                offset,
            )
            audit_restricted_results(session, filters.caller, "search", [hit.document for hit in hits])
            return SearchPage(hits, len(results), offset, undated)

    def candidates(
        self, session: Session, query: str, query_vector: np.ndarray, depth: int, allowed: np.ndarray | None = None
    ) -> list[Candidate]:
        """Passages found by meaning, by words or by a person the query names, each scored on every feature.

        Cosines are put on the query language's scale (search.language_balance), and the best passages of every
        language are candidates, so that an answer in another language than the query's competes on what it says."""
        languages = self._languages.state(session)
        calibration = LanguageCalibration.of(
            query_vector, guess_language(query, min_letters=1), languages.samples, languages.projection
        )
        pools = [languages.ids[lang] for lang in calibration.language_ids()]
        dense = nearest_in_each_language(self._index, query_vector, depth, allowed, pools)
        named = {i for i, _ in self._passages_about_named_persons(session, query, query_vector, depth, allowed)}
        words = WordEvidence(session.connection(), query, allowed)
        ids = sorted({i for i, _ in dense} | named | words.candidates(depth))
        rows = storage.passage_vectors(session, ids)
        found = np.fromiter((row.passage_id for row in rows), dtype=np.int64, count=len(rows))
        lexical = words.same_script(found)
        cross_lexical = words.cross_script(found)
        dense_scores, sentence_scores = semantic_scores(
            rows, query_vector, lambda vectors: project(vectors, calibration.projection)
        )
        plain = np.maximum(*semantic_scores(rows, query_vector)) if calibration.active else None
        found_candidates = [
            Candidate(
                passage_id=row.passage_id,
                document_id=row.document_id,
                span=(row.char_start, row.char_end),
                dense=calibration.calibrated(float(dense_scores[i]), row.language),
                sentence=calibration.calibrated(float(sentence_scores[i]), row.language),
                lexical=float(lexical[i]),
                cross_lexical=float(cross_lexical[i]),
                person=row.passage_id in named,
                language=row.language,
                cosine=None if plain is None else float(plain[i]),
            )
            for i, row in enumerate(rows)
        ]
        return balanced(found_candidates, calibration)

    def _hits(
        self, session: Session, ranked: list[tuple[int, float, tuple[int, int] | None]], offset: int = 0
    ) -> list[SearchHit]:
        """Hits for (passage id, score, span to cite or None for the whole passage), in order, from `offset` on."""
        rows = storage.passages_with_documents(session, [item_id for item_id, _, _ in ranked])
        persons = persons_of_passages(session, list(rows))
        hits: list[SearchHit] = []
        for item_id, score, span in ranked:
            if item_id not in rows:
                continue  # deleted since the candidates were found
            passage, document = rows[item_id]
            start, end = span or (passage.char_start, passage.char_end)
            hits.append(
                SearchHit(
                    rank=len(hits) + 1,  # counted over every page; the pages before `offset` are cut below
                    score=score,
                    passage=passage,
                    document=document,
                    char_start=start,
                    char_end=end,
                    persons=[PersonRef(person_id, name) for person_id, name in persons.get(item_id, [])],
                )
            )
        return hits[offset:]

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

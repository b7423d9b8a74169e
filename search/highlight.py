"""Which sentence of a passage answers the query: the words every client highlights.

Two signals, combined:
- lexical overlap: the query's informative words (stop words dropped) folded to one Latin key per word
  (Cyrillic transliterated, case and romanisation folded), matched on a shared stem so that Russian and Kazakh
  endings, and English plurals, still meet;
- meaning (on request, e.g. for the web pages): the sentences the overlap cannot tell apart are embedded with the
  archive's embedder and compared with the query vector. Most sentences have vectors stored at ingest
  (indexing.sentence_vectors), which the highlighter takes; the others cost one embedding each (~30 ms on two
  cores), so a `Highlighter` embeds only for the first few results, caches sentence vectors, and the API's default
  (`highlight=lexical`) keeps searches fast.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from archive.models import Passage
from indexing.chunk import sentence_spans
from indexing.embed import Embedder
from indexing.persons.names import token_key
from indexing.sentence_vectors import stored_sentences
from language.words import WORD, is_informative, matching_prefix

if TYPE_CHECKING:
    from search.searcher import SearchHit

LEXICAL_WEIGHT = 0.08  # one fully matched query is worth this much cosine similarity
SEMANTIC_RESULTS = 3  # results (best first) whose sentences may be embedded
SEMANTIC_SENTENCES = 12  # at most this many sentences compared by meaning per list of results (bounds the cost)
CONFIDENT_MARGIN = 0.25  # sentences within this share of the query's words of the best overlap are compared by meaning
SENTENCE_CACHE_SIZE = 4096
MAX_QUERY_WORDS = 24
MIN_SENTENCE_WORDS = 3  # fewer words (a heading "Hot topics:", a list number "4.") are never the answering sentence

Span = tuple[int, int]


def sentences(passage_text: str) -> list[Span]:
    """Sentence spans of a passage, never empty for a non-empty passage."""
    spans = sentence_spans(passage_text)
    return spans or ([(0, len(passage_text))] if passage_text else [])


def answerable(passage_text: str, spans: Sequence[Span]) -> list[Span]:
    """The sentences that can answer: those of at least MIN_SENTENCE_WORDS words with letters (a heading such as
    "Hot topics:" or a list number "4." is a sentence to the splitter, not an answer); all of them when none is."""
    long_enough = [
        (start, end)
        for start, end in spans
        if sum(1 for word in WORD.findall(passage_text[start:end]) if not word.isdigit()) >= MIN_SENTENCE_WORDS
    ]
    return long_enough or list(spans)


@lru_cache(maxsize=8192)
def _key(word: str) -> str:
    return matching_prefix(token_key(word))


def query_keys(query: str) -> dict[str, float]:
    """The query's informative words as folded stems, each weighted by its length (names and rare words weigh more)."""
    keys: dict[str, float] = {}
    for word in WORD.findall(query.lower())[: MAX_QUERY_WORDS * 2]:
        if not is_informative(word):
            continue
        key = _key(word) if not word.isdigit() else word
        if key:
            keys[key] = max(keys.get(key, 0.0), min(len(key), 8) / 8)
    return dict(list(keys.items())[:MAX_QUERY_WORDS])


def lexical_scores(passage_text: str, spans: Sequence[Span], keys: dict[str, float]) -> np.ndarray:
    """Per sentence: the weighted share of the query's words it contains, in [0, 1]."""
    total = sum(keys.values())
    scores = np.zeros(len(spans), dtype=np.float32)
    if not total:
        return scores
    for i, (start, end) in enumerate(spans):
        words = {(_key(w) if not w.isdigit() else w) for w in WORD.findall(passage_text[start:end].lower())}
        scores[i] = sum(weight for key, weight in keys.items() if key in words) / total
    return scores


def best_sentence_span(
    passage_text: str,
    query: str,
    query_vector: np.ndarray | Callable[[], np.ndarray] | None = None,
    sentence_vectors: Callable[[list[str]], np.ndarray | None] | None = None,
    *,
    lexical_weight: float = LEXICAL_WEIGHT,
    margin: float = CONFIDENT_MARGIN,
) -> Span:
    """(char_start, char_end) inside `passage_text` of the sentence that best answers `query`.

    Only sentences of a few words compete (`answerable`). Lexical overlap first (ties go to the earlier sentence).
    With `query_vector` and `sentence_vectors` (a function that embeds a list of sentences, e.g.
    `embedder.embed_passages`), the sentences that the overlap cannot tell apart (within `margin` of the best; all of
    them when no word matches, as for a Kazakh question over English text) are embedded and the cosine similarity,
    nudged by the overlap, decides. So the embedder runs only when it matters
    (`query_vector` may be a function, called only then; `sentence_vectors` may return None: lexical it is).
    """
    spans = answerable(passage_text, sentences(passage_text))
    if len(spans) <= 1:
        return spans[0] if spans else (0, 0)
    lexical = lexical_scores(passage_text, spans, query_keys(query))
    best = int(np.argmax(lexical))
    if query_vector is None or sentence_vectors is None:
        return spans[best]
    candidates = [i for i, score in enumerate(lexical) if score >= lexical[best] - margin]
    if len(candidates) == 1:
        return spans[best]
    vectors = sentence_vectors([passage_text[slice(*spans[i])] for i in candidates])
    if vectors is None:
        return spans[best]
    vectors = np.asarray(vectors, dtype=np.float32)
    query_vector = query_vector() if callable(query_vector) else query_vector
    scores = vectors @ np.asarray(query_vector, dtype=np.float32) + lexical_weight * lexical[candidates]
    return spans[candidates[int(np.argmax(scores))]]


class Highlighter:
    """Highlights for a list of results: embedder-assisted for the first few, lexical for the rest; caches vectors.

    The embedder is consulted only for the sentences the lexical overlap cannot tell apart (see `best_sentence_span`).
    """

    def __init__(
        self,
        embedder: Embedder | None,
        *,
        semantic_results: int = SEMANTIC_RESULTS,
        semantic_sentences: int = SEMANTIC_SENTENCES,
        margin: float = CONFIDENT_MARGIN,
        cache_size: int = SENTENCE_CACHE_SIZE,
        query_vector: Callable[[str], np.ndarray] | None = None,
    ) -> None:
        self._embedder = embedder
        self._semantic_results = semantic_results if embedder is not None else 0
        self._margin = margin
        self._budget = semantic_sentences
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._query_vector = query_vector or (lru_cache(maxsize=256)(embedder.embed_query) if embedder else None)
        self._lock = threading.Lock()
        self.embedded = 0  # sentences embedded so far (cache misses), for measurements

    def sentence_vectors(self, texts: list[str]) -> np.ndarray:
        """Passage-side vectors of sentences, embedded once and cached (shared by every user of this highlighter)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                if self._embedder is None:
                    raise ValueError("sentence vectors need an embedder; this highlighter has none")
                self.embedded += len(missing)
                for text, vector in zip(missing, self._embedder.embed_passages(missing)):
                    self._cache[text] = vector
            for text in texts:
                self._cache.move_to_end(text)
            vectors = np.stack([self._cache[t] for t in texts])
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return vectors

    def remember(self, sentences: Sequence[tuple[str, np.ndarray]]) -> None:
        """Take sentence vectors known already (stored at ingest), so those sentences are not embedded again."""
        with self._lock:
            for text, vector in sentences:
                self._cache[text] = vector
                self._cache.move_to_end(text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def spans(self, query: str, passage_texts: Sequence[str]) -> list[Span]:
        """One (char_start, char_end) per passage, in order (passages best first)."""
        query = " ".join(query.split())  # as the searcher sees it, so every client gets the same spans

        def query_vector() -> np.ndarray:
            assert self._query_vector is not None  # called for semantic results only, which need an embedder
            return self._query_vector(query)

        # The budget counts candidate sentences, cached or not, so that the same query always gets the same spans.
        remaining = self._budget

        def sentence_vectors(texts: list[str]) -> np.ndarray | None:
            nonlocal remaining
            if len(texts) > remaining:
                return None
            remaining -= len(texts)
            return self.sentence_vectors(texts)

        return [
            best_sentence_span(
                text,
                query,
                query_vector if i < self._semantic_results else None,
                sentence_vectors if i < self._semantic_results else None,
                margin=self._margin,
            )
            for i, text in enumerate(passage_texts)
        ]

    def span(self, query: str, passage_text: str) -> Span:
        return self.spans(query, [passage_text])[0]


_highlighters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_highlighters_lock = threading.Lock()


def highlighter_for(embedder: Embedder, passages: Sequence[Passage] = ()) -> Highlighter:
    """One shared highlighter (and sentence-vector cache) per embedder, so the API and the web pages agree.

    The sentence vectors stored with `passages` at ingest are taken into its cache: their sentences need no embedding.
    """
    with _highlighters_lock:
        highlighter = _highlighters.get(embedder)
        if highlighter is None:
            highlighter = _highlighters[embedder] = Highlighter(embedder)
    dim = embedder.spec.dim
    highlighter.remember(
        [pair for p in passages for pair in stored_sentences(p.text, p.sentence_spans, p.sentence_vectors, dim)]
    )
    return highlighter


def marked_sentences(embedder: Embedder, query: str, hits: Sequence[SearchHit]) -> list[Span]:
    """The answering sentence of each result, by words and meaning (offsets inside each result's text): the one
    choice the web pages mark, their citations quote and the exports and `archive search` cite."""
    return highlighter_for(embedder, [hit.passage for hit in hits]).spans(query, [hit.text for hit in hits])

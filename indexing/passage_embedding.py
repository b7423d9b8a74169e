"""Passage and sentence vectors from one pass of the embedder: every sentence embedded once.

A passage's sentences are embedded one by one (a sentence that two overlapping passages share, once), and the
document's title once. A passage's vector is the normalised mean of its sentences' vectors and its title's, each
weighted by its length in characters, so the model sees each token once, where embedding the passage (with its
title) and then its sentences again would feed it every token twice and the title once per passage. The sentences
worth ranking by (indexing.sentence_vectors) keep their own vectors beside the passage's.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from indexing.chunk import embedding_text, sentence_spans
from indexing.sentence_vectors import pack, passage_sentences
from language.letters import join_hyphenation

EmbedTexts = Callable[[list[str]], np.ndarray]

# One pass (passage vectors made of sentence vectors) costs 0.7-0.9 x the embedder's time over the passages' text,
# where passages and sentences cost 1.6-2.2 x; but on the external set (every task, 2026-12-07) it lost up to 0.11
# MRR@10 in archives of one language (ru->en .891 -> .785) and up to 0.16 in the mixed archive (ru->kk .913 -> .756),
# and neither a heavier title, nor units of two or three sentences, nor the title before each sentence kept quality:
# an average of sentence vectors is not the whole passage's vector across languages. Pooling each sentence from the
# token states of the passage's own pass (benchmarks.pooled_sentences) keeps the passage's vector but not the
# sentence evidence (all .889 -> .812, en->kk .906 -> .611). So by default each passage is still embedded whole,
# with its title, beside its sentences.
ONE_PASS = False


@dataclass(frozen=True)
class _PassagePlan:
    units: tuple[int, ...]  # indices of the plan's texts that make up the passage (its sentences, its title)
    sentences: tuple[tuple[int, int], ...]  # the spans whose vectors are stored (relative to the passage)
    sentence_units: tuple[int, ...]  # their indices among the plan's texts


@dataclass
class EmbeddingPlan:
    """The distinct texts to embed for some passages of one document, and how each passage is made of them."""

    texts: list[str]
    passages: list[_PassagePlan]

    @property
    def chars(self) -> int:
        """Characters the embedder will read (what progress and its ETA count)."""
        return sum(map(len, self.texts))


@dataclass(frozen=True)
class EmbeddedPassage:
    vector: np.ndarray  # L2-normalised float32
    sentence_spans: list[tuple[int, int]]
    sentence_vectors: bytes | None  # packed (indexing.sentence_vectors.pack)


def plan(title: str | None, contents: Sequence[str], one_pass: bool | None = None) -> EmbeddingPlan:
    """Which texts to embed for passages of `contents` (their text with page breaks blanked) under `title`: with
    `one_pass` (default ONE_PASS) its sentences and title, else the passage with its title and then the sentences
    whose vectors are stored."""
    texts: list[str] = []
    index: dict[str, int] = {}

    def unit(text: str) -> int:
        if text not in index:
            index[text] = len(texts)
            texts.append(text)
        return index[text]

    if not (ONE_PASS if one_pass is None else one_pass):
        whole = []
        for content in contents:
            stored = tuple(passage_sentences(content))
            sentence_units = tuple(unit(content[start:end]) for start, end in stored)
            whole.append(_PassagePlan((unit(embedding_text(title, content)),), stored, sentence_units))
        return EmbeddingPlan(texts, whole)
    title_units = (unit(title.strip()),) if title and title.strip() and contents else ()
    passages = []
    for content in contents:
        spans = sentence_spans(content) or [(0, len(content))]
        by_span = {span: unit(join_hyphenation(content[span[0] : span[1]])) for span in spans}
        stored = tuple(passage_sentences(content))
        passages.append(
            _PassagePlan((*by_span.values(), *title_units), stored, tuple(by_span[span] for span in stored))
        )
    return EmbeddingPlan(texts, passages)


def combine(embedding_plan: EmbeddingPlan, vectors: np.ndarray) -> list[EmbeddedPassage]:
    """Each passage's vector (the weighted mean of its texts' vectors) and its stored sentence vectors."""
    weights = np.array([max(len(text), 1) for text in embedding_plan.texts], dtype=np.float32)
    embedded = []
    for passage in embedding_plan.passages:
        units = list(passage.units)
        mean = weights[units] @ vectors[units]
        vector = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
        sentences = vectors[list(passage.sentence_units)] if passage.sentence_units else vectors[:0]
        embedded.append(EmbeddedPassage(vector, list(passage.sentences), pack(sentences)))
    return embedded


def embed_passages(
    embed: EmbedTexts,
    title: str | None,
    contents: Sequence[str],
    batch: int = 64,
    on_chars: Callable[[int], None] | None = None,
    one_pass: bool | None = None,
) -> list[EmbeddedPassage]:
    """Passages of one document embedded in one pass (`embed`: the embedder's `embed_passages`), `batch` texts a
    call; `on_chars(n)` after each call with the characters embedded so far."""
    embedding_plan = plan(title, contents, one_pass)
    return combine(embedding_plan, embed_texts(embed, embedding_plan.texts, batch, on_chars))


def embed_texts(
    embed: EmbedTexts, texts: Sequence[str], batch: int, on_chars: Callable[[int], None] | None = None
) -> np.ndarray:
    """The vectors of `texts`, `batch` at a time, reporting the characters done after each call."""
    parts = [embed([])]
    done = 0
    for start in range(0, len(texts), batch):
        part = list(texts[start : start + batch])
        parts.append(embed(part))
        done += sum(map(len, part))
        if on_chars:
            on_chars(done)
    return np.concatenate(parts)


class SpooledPassages:
    """Embedded passages written to a temporary file as they come and read back in order: a document of any length
    keeps only the passages in hand in memory."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="archive-vectors-")  # noqa: SIM115 - closed by close()

    def write(self, passage: EmbeddedPassage) -> None:
        pickle.dump((passage.vector, passage.sentence_spans, passage.sentence_vectors), self._file, protocol=5)

    def rewind(self) -> None:
        self._file.seek(0)

    def read(self, count: int) -> list[EmbeddedPassage]:
        """The next `count` passages (fewer at the end)."""
        passages = []
        for _ in range(count):
            try:
                vector, spans, blob = pickle.load(self._file)  # noqa: S301 - this process's own temporary file
            except EOFError:
                break
            passages.append(EmbeddedPassage(vector, spans, blob))
        return passages

    def close(self) -> None:
        self._file.close()

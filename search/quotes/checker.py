"""Quote → candidate passages → aligned spans → verdicts, best first."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from archive import storage
from archive.access import audit_restricted_results
from archive.errors import InvalidInputError
from archive.models import Document, Passage, row_id
from indexing.chunk import sentence_spans
from indexing.embed import Embedder
from indexing.index_store import IndexStore
from indexing.sentence_vectors import stored_sentences
from search.filters import SearchFilters
from search.highlight import highlighter_for
from search.language_balance import ArchiveLanguages
from search.quotes import candidates
from search.quotes.align import Alignment, Opcode, align, diff
from search.quotes.facts import compare_facts, describe
from search.quotes.verdict import Verdict, explain, meaning_verdict, qualifies, wording_verdict
from search.quotes.words import Word, words
from search.validation import require_count, require_text

MAX_QUOTE_CHARS = 1000
MAX_MATCHES = 10
WORDING_MIN = 0.7  # share of words in common for a match by wording (an altered quote)
CONFIDENT = 0.8  # a match by wording this close needs no search by meaning
PASSAGE_MEANING_MIN = 0.75  # cosine of the quote and a passage worth reading sentence by sentence
MEANING_MIN = 0.88  # cosine of the quote and a source sentence for a translation or paraphrase
ALTERED_MEANING_MIN = 0.8  # ... for one that shares two or more of the quote's facts and changes some
RUNNERS_UP = 0.2  # matches this much less similar than the best are noise next to it
REGION_PAD = 40  # characters read beyond a candidate passage, so a quote across two passages still aligns
_RANK = {verdict: i for i, verdict in enumerate(Verdict)}


@dataclass(frozen=True)
class DiffOp:
    op: str  # equal | replace | insert | delete, from the quote to the original
    quote: str
    original: str


@dataclass(frozen=True)
class QuoteMatch:
    verdict: Verdict
    similarity: float
    passage: Passage  # the passage the span starts in
    document: Document
    char_start: int  # the original wording: document.text[char_start:char_end]
    char_end: int
    diff: list[DiffOp]
    explanation: str = ""  # the verdict in a sentence, for a reader

    @property
    def original(self) -> str:
        return self.document.text[self.char_start : self.char_end]


@lru_cache(maxsize=64)
def _sentences(text: str) -> list[tuple[int, int]]:
    return sentence_spans(text)


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole sentence (or sentences) the span text[start:end] lies in."""
    spans = _sentences(text)
    first = next((s for s, e in spans if s <= start < e), start)
    last = next((e for s, e in spans if s < end <= e), end)
    return min(first, start), max(last, end)


def diff_ops(
    quote: str, quote_words: list[Word], text: str, original_words: list[Word], opcodes: list[Opcode]
) -> list[DiffOp]:
    """Opcodes as the words they stand for: quote text and original text (the original's exactly as stored)."""

    def piece(source: str, items: list[Word], lo: int, hi: int) -> str:
        return source[items[lo].start : items[hi - 1].end] if hi > lo else ""

    return [
        DiffOp(o.op, piece(quote, quote_words, *o.quote), piece(text, original_words, *o.original)) for o in opcodes
    ]


class QuoteChecker:
    """Where the archive says a quote, in which words, and what differs."""

    def __init__(
        self, engine: Engine, embedder: Embedder, index: IndexStore, languages: ArchiveLanguages | None = None
    ) -> None:
        self._engine = engine
        self._embedder = embedder
        self._index = index
        self._languages = languages or ArchiveLanguages(engine, embedder.spec.dim)
        self._quote_vector = lru_cache(maxsize=256)(embedder.embed_query)

    def check(self, quote: str, k: int = 3, filters: SearchFilters | None = None) -> list[QuoteMatch]:
        """Up to k matches, best first; none when nothing in the archive (that the filters allow) resembles it."""
        quote = require_text(quote, "quote", MAX_QUOTE_CHARS)
        require_count(k, MAX_MATCHES)
        quote_words = words(quote)
        if not quote_words:
            raise InvalidInputError("the quote has no words")
        filters = filters or SearchFilters()
        originals_for = filters.caller if filters.document_id is None else None
        with Session(self._engine) as session:
            allowed = filters.allowed_passage_ids(session)
            if allowed is not None and allowed.size == 0:
                return []
            ids = candidates.by_words(session, quote, allowed, originals_for)
            found = self._by_wording(session, quote, quote_words, ids)
            if not found or found[0].similarity < CONFIDENT:
                vector = self._quote_vector(" ".join(quote.split()))
                pools = list(self._languages.state(session).ids.values())
                dense = candidates.by_meaning(session, self._index, vector, allowed, originals_for, pools)
                found = _best(found + self._by_wording(session, quote, quote_words, [i for i, _ in dense]))
                if not found:  # sentences by meaning, in the closest passages and in those sharing the quote's words
                    close = [i for i, score in dense if score >= PASSAGE_MEANING_MIN]
                    found = self._by_meaning(session, quote, quote_words, vector, list(dict.fromkeys(close + ids)))
            audit_restricted_results(session, filters.caller, "quote check", [m.document for m in found[:k]])
            return found[:k]

    def _by_wording(self, session: Session, quote: str, quote_words: list[Word], ids: list[int]) -> list[QuoteMatch]:
        rows = storage.passages_with_documents(session, ids)
        matches = []
        for passage, document in (rows[i] for i in ids if i in rows):
            pad, text = len(quote) + REGION_PAD, document.text
            region = max(0, passage.char_start - pad), min(len(text), passage.char_end + pad)
            found = align(quote, quote_words, text, *region)
            if found is not None and found.similarity >= WORDING_MIN:
                matches.append(self._wording_match(session, quote, quote_words, document, found))
        return _best(matches)

    def _wording_match(
        self, session: Session, quote: str, quote_words: list[Word], document: Document, found: Alignment
    ) -> QuoteMatch:
        text = document.text
        start, end, span_words, opcodes = found.char_start, found.char_end, found.words, found.opcodes
        verdict = wording_verdict(quote, text[start:end], found)
        if verdict in (Verdict.exact, Verdict.cosmetic):
            s_start, s_end = sentence_around(text, start, end)
            if qualifies(text[s_start:start], before=True) or qualifies(text[end:s_end], before=False):
                verdict, start, end = Verdict.truncated, s_start, s_end
                span_words = words(text, start, end)
                opcodes = diff(quote_words, span_words)
        return QuoteMatch(
            verdict=verdict,
            similarity=round(found.similarity, 4),
            passage=_passage_at(session, row_id(document), start),
            document=document,
            char_start=start,
            char_end=end,
            diff=diff_ops(quote, quote_words, text, span_words, opcodes),
            explanation=explain(verdict),
        )

    def _by_meaning(
        self, session: Session, quote: str, quote_words: list[Word], vector: np.ndarray, passage_ids: list[int]
    ) -> list[QuoteMatch]:
        """The sentence of each close passage that says what the quote says, when it says it closely enough.

        Every sentence of the candidate passages (the closest by meaning in each language, and those sharing the
        quote's words: its numbers and names) is compared with the quote by meaning (the vectors stored at ingest; a
        sentence without one is embedded). A translation or paraphrase that states other numbers,
        dates or names than its source (search.quotes.facts) is altered, and its diff names them."""
        highlighter = highlighter_for(self._embedder)
        rows = storage.passages_with_documents(session, passage_ids)
        matches = []
        for passage, document in (rows[i] for i in passage_ids if i in rows):
            spans = _sentences(passage.text)
            highlighter.remember(
                stored_sentences(
                    passage.text, passage.sentence_spans, passage.sentence_vectors, self._embedder.spec.dim
                )
            )
            vectors = highlighter.sentence_vectors([passage.text[s:e] for s, e in spans])
            scores = vectors @ np.asarray(vector, dtype=np.float32)
            best = int(np.argmax(scores))
            score = float(scores[best])
            start, end = spans[best]
            sentence = passage.text[start:end]
            facts = compare_facts(quote, sentence)
            if len(facts.changes) > facts.shared:
                continue  # another statement: its numbers, dates or names are mostly others
            if score < MEANING_MIN and not (score >= ALTERED_MEANING_MIN and facts.changes and facts.shared >= 2):
                continue  # not close enough by meaning, nor the same statement with a fact changed
            verdict = meaning_verdict(quote, document.language, sentence)
            start, end = passage.char_start + start, passage.char_start + end
            changes = [change for change in facts.changes if change.quote and change.original]
            if changes:  # a number, date or name the source states otherwise (not one a wording leaves out)
                ops = [DiffOp(_op(change.quote, change.original), change.quote, change.original) for change in changes]
                explanation = explain(verdict, f"with {describe(changes)}")
                verdict = Verdict.altered
            else:
                sentence_words = words(document.text, start, end)
                word_ops = [] if verdict is Verdict.translation else diff(quote_words, sentence_words)
                ops = diff_ops(quote, quote_words, document.text, sentence_words, word_ops)
                explanation = explain(verdict)
            matches.append(QuoteMatch(verdict, round(score, 4), passage, document, start, end, ops, explanation))
        return _best(matches)


def _op(quote: str, original: str) -> str:
    """The diff operation from the quote's fact to the original's (either may be missing)."""
    return "replace" if quote and original else ("delete" if quote else "insert")


def _passage_at(session: Session, document_id: int, offset: int) -> Passage:
    """The passage of a document that a character offset falls in (the first one, where passages overlap)."""
    passage = session.exec(
        select(Passage)
        .where(Passage.document_id == document_id, Passage.char_start <= offset, Passage.char_end > offset)
        .order_by(col(Passage.char_start))
        .limit(1)
    ).first()
    if passage is None:
        raise InvalidInputError(f"no passage of document {document_id} holds offset {offset}")
    return passage


def _best(matches: list[QuoteMatch]) -> list[QuoteMatch]:
    """Best first, one match per place (of overlapping spans the best is kept), without far weaker runners-up."""
    kept: list[QuoteMatch] = []
    for match in sorted(matches, key=lambda m: (-m.similarity, _RANK[m.verdict], m.document.id, m.char_start)):
        if kept and match.similarity < kept[0].similarity - RUNNERS_UP:
            break
        if not any(
            k.document.id == match.document.id and k.char_start < match.char_end and match.char_start < k.char_end
            for k in kept
        ):
            kept.append(match)
    return kept

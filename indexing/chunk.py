"""Sentence-aware chunking into citable passages that never cross a page or a section."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from indexing.analysis import join_hyphenation
from indexing.extract import Page

TARGET_CHARS = 700  # ~170 tokens of English for the e5 tokenizer
MAX_CHARS = 1100  # ~260 tokens; a longer sentence is split at white space
OVERLAP_MAX_CHARS = 250  # the last sentence of a passage is repeated in the next one if it is this short

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s")
_ABBREVIATIONS = frozenset(
    "art no nos mr mrs ms dr st vs etc jr sr gen col lt sgt km p pp para paras cf e.g i.e approx inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])")
_NUMBERED_HEADING = re.compile(r"^\d+(\.\d+)*\.\s+\S")
_PERSON_LEAD = re.compile(r"^(?P<name>[A-ZА-ЯЁМ][\w’'.-]+(?:\s+[A-ZА-ЯЁ][\w’'.-]+){1,3})\s+[–—-]\s+\S")


@dataclass(frozen=True)
class Chunk:
    """A passage to be: offsets into the document text, its page, and the section (and person) it belongs to."""

    char_start: int
    char_end: int
    page: int | None
    heading: str | None
    ocr: bool = False


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def embedding_text(title: str | None, passage_text: str) -> str:
    """The text the embedder sees: the document title as context, then the exact passage.

    (Section headings and person names were tried as context too; on the development questions the title alone
    retrieves best, because headings of news pages are often boilerplate.)
    """
    passage_text = join_hyphenation(passage_text)
    return f"{title}\n{passage_text}" if title else passage_text


def chunk_document(text: str, pages: Sequence[Page] = ()) -> list[Chunk]:
    """Split a document into passages of whole sentences; none crosses a page or a section heading."""
    regions: list[tuple[int, int, int | None, bool]] = [(p.char_start, p.char_end, p.number, p.ocr) for p in pages]
    regions = regions or [(0, len(text), None, False)]
    chunks: list[Chunk] = []
    section: str | None = None
    person: str | None = None
    for region_start, region_end, page_number, ocr in regions:
        pending: list[_Span] = []
        has_body = False  # a heading alone is kept for the passage that follows it
        for paragraph in _paragraphs(text, region_start, region_end):
            line = text[paragraph.start : paragraph.end]
            heading, lead = _is_heading(line), _PERSON_LEAD.match(line)
            if (heading or lead) and has_body:
                chunks.extend(_pack(pending, page_number, _join(section, person), ocr))
                pending, has_body = [], False
            if heading:
                section, person = line.strip(), None
            elif lead:
                person = lead.group("name")
            has_body = has_body or not heading
            pending.extend(_sentences(text, paragraph))
        chunks.extend(_pack(pending, page_number, _join(section, person), ocr))
    return chunks


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of a text's sentences, split as the chunker splits them (paragraphs, then sentences)."""
    return [(s.start, s.end) for p in _paragraphs(text, 0, len(text)) for s in _sentences(text, p)]


def _join(section: str | None, person: str | None) -> str | None:
    parts = [part for part in (section, person) if part]
    return " — ".join(parts) if parts else None


def _is_heading(line: str) -> bool:
    line = line.strip()
    if "\n" in line or len(line) > 150:
        return False
    if _NUMBERED_HEADING.match(line):
        return True
    return len(line) <= 100 and line[:1].isupper() and line[-1:] not in ".!?;,:\"”)’'" and len(line.split()) >= 2


def _paragraphs(text: str, start: int, end: int) -> Iterator[_Span]:
    position = start
    for match in _PARAGRAPH_BREAK.finditer(text, start, end):
        yield from _trimmed(text, position, match.start())
        position = match.end()
    yield from _trimmed(text, position, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[_Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield _Span(start, end)


def _sentences(text: str, paragraph: _Span) -> Iterator[_Span]:
    """Sentence spans inside a paragraph; abbreviations such as "Art." or "No." do not end a sentence."""
    start = paragraph.start
    for match in _SENTENCE_END.finditer(text, paragraph.start, paragraph.end):
        word = text[max(start, match.start() - 12) : match.start()].split()
        if word and (word[-1].lower().rstrip(".") in _ABBREVIATIONS or len(word[-1]) == 1 and word[-1].isupper()):
            continue
        yield from _split_long(text, _Span(start, match.end()))
        start = match.end()
        while start < paragraph.end and text[start].isspace():
            start += 1
    if start < paragraph.end:
        yield from _split_long(text, _Span(start, paragraph.end))


def _split_long(text: str, span: _Span) -> Iterator[_Span]:
    """A sentence longer than MAX_CHARS is cut at white space into pieces that fit."""
    start = span.start
    while span.end - start > MAX_CHARS:
        cut = _last_space(text, start + MAX_CHARS // 2, start + MAX_CHARS)
        cut = cut if cut > start else start + MAX_CHARS
        yield from _trimmed(text, start, cut)
        start = cut
    yield from _trimmed(text, start, span.end)


def _last_space(text: str, start: int, end: int) -> int:
    """The position of the last white-space character (any Unicode space, e.g. NBSP) in text[start:end], or -1."""
    last = -1
    for match in _SPACE.finditer(text, start, end):
        last = match.start()
    return last


def _pack(sentences: list[_Span], page: int | None, heading: str | None, ocr: bool) -> list[Chunk]:
    """Greedy packing of consecutive sentences up to TARGET_CHARS, overlapping by one short sentence."""
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        while (
            j < len(sentences)
            and sentences[j].end - sentences[i].start <= MAX_CHARS
            and (sentences[j - 1].end - sentences[i].start < TARGET_CHARS)
        ):
            j += 1
        chunks.append(Chunk(sentences[i].start, sentences[j - 1].end, page, heading, ocr))
        if j >= len(sentences):
            break
        last = sentences[j - 1]
        i = j - 1 if j - 1 > i and last.end - last.start <= OVERLAP_MAX_CHARS else j
    return chunks

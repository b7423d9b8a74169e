"""Sentence-aware chunking into citable passages that never cross a section, nor a page unless a sentence does.

A sentence that runs on from the bottom of one page to the top of the next stays whole: its passage starts on the
first page and ends on a later one. What lies between the two pages' text (the page separator, and the footer and
header that `indexing.furniture` left out of the pages' slices) is inside the passage's offsets but recorded as a
page break, and blanked one character for one in what is embedded and indexed, so offsets stay exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from indexing.extract import Page
from indexing.text_pieces import blank_spans
from language.letters import join_hyphenation

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
_OPEN_SENTENCE_END = re.compile(r"[^.!?…:;]$")  # the last character of a sentence that goes on
_NUMBERED_HEADING = re.compile(r"^\d+(\.\d+)*\.\s+\S")
_PERSON_LEAD = re.compile(r"^(?P<name>[A-ZА-ЯЁМ][\w’'.-]+(?:\s+[A-ZА-ЯЁ][\w’'.-]+){1,3})\s+[–—-]\s+\S")


@dataclass(frozen=True)
class Chunk:
    """A passage to be: offsets into the document text, its pages, and the section (and person) it belongs to.

    `page` is the first page and `page_end` the last (the same unless a sentence crosses a page break);
    `page_breaks` are the (start, end) document offsets of what lies between pages inside the passage.
    """

    char_start: int
    char_end: int
    page: int | None
    heading: str | None
    ocr: bool = False
    page_end: int | None = None
    page_breaks: tuple[tuple[int, int], ...] = ()

    def content(self, text: str) -> str:
        """The passage's text with its page breaks blanked (same length): what is embedded and indexed."""
        breaks = [(start - self.char_start, end - self.char_start) for start, end in self.page_breaks]
        return blank_spans(text[self.char_start : self.char_end], breaks)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    page: int | None = None
    page_end: int | None = None
    ocr: bool = False
    breaks: tuple[tuple[int, int], ...] = ()


def embedding_text(title: str | None, passage_text: str) -> str:
    """The text the embedder sees: the document title as context, then the exact passage.

    (Section headings and person names were tried as context too; on the development questions the title alone
    retrieves best, because headings of news pages are often boilerplate.)
    """
    passage_text = join_hyphenation(passage_text)
    return f"{title}\n{passage_text}" if title else passage_text


def chunk_document(text: str, pages: Sequence[Page] = ()) -> list[Chunk]:
    """Split a document into passages of whole sentences; none crosses a section heading, and none crosses a page
    break unless a sentence runs on across it."""
    regions: list[tuple[int, int, int | None, bool]] = [(p.char_start, p.char_end, p.number, p.ocr) for p in pages] or [
        (0, len(text), None, False)
    ]
    paragraphs = [list(_paragraphs(text, start, end)) for start, end, _, _ in regions]
    chunks: list[Chunk] = []
    section: str | None = None
    person: str | None = None
    pending: list[_Span] = []
    carried: _Span | None = None  # the start of a sentence that runs on at the top of the next page
    has_body = False  # a heading alone is kept for the passage that follows it
    for index, (_, _, page_number, ocr) in enumerate(regions):
        for paragraph in paragraphs[index]:
            line = text[paragraph.start : paragraph.end]
            heading, lead = _is_heading(line), _PERSON_LEAD.match(line)
            if (heading or lead) and has_body:
                chunks.extend(_pack([*pending, *_optional(carried)], _join(section, person)))
                pending, carried, has_body = [], None, False
            if heading:
                section, person = line.strip(), None
            elif lead:
                person = lead.group("name")
            has_body = has_body or not heading
            sentences = [_Span(s.start, s.end, page_number, page_number, ocr) for s in _sentences(text, paragraph)]
            if carried is not None and sentences:
                sentences[0] = _joined(carried, sentences[0])
                carried = None
            pending.extend(sentences)
        pending.extend(_optional(carried))
        carried = None
        following = paragraphs[index + 1][0] if index + 1 < len(paragraphs) and paragraphs[index + 1] else None
        next_page = regions[index + 1][2] if index + 1 < len(regions) else None
        # only a page break is bridged, not the gap a left-out line leaves (web boilerplate has no page numbers)
        page_break = page_number is not None and next_page is not None and next_page != page_number
        if page_break and pending and following and _runs_on(text, pending[-1], following):
            carried = pending.pop()
        else:
            chunks.extend(_pack(pending, _join(section, person)))
            pending, has_body = [], False
    return chunks


def _optional(span: _Span | None) -> list[_Span]:
    return [span] if span is not None else []


def _opens_section(line: str) -> bool:
    """Whether a paragraph starts a new section: a heading, or a person's name leading an entry."""
    return _is_heading(line) or _PERSON_LEAD.match(line) is not None


def _runs_on(text: str, last: _Span, following: _Span) -> bool:
    """Whether the sentence ending a page goes on at the top of the next one (no sentence end, no new section)."""
    if not _OPEN_SENTENCE_END.search(text[last.start : last.end]) or _opens_section(
        text[following.start : following.end]
    ):
        return False
    first = next(_sentences(text, following))
    return (last.end - last.start) + (first.end - first.start) < MAX_CHARS


def _joined(last: _Span, first: _Span) -> _Span:
    """One sentence from its part at the bottom of a page and its part at the top of the next."""
    return _Span(
        last.start,
        first.end,
        last.page,
        first.page_end,
        last.ocr or first.ocr,
        (*last.breaks, (last.end, first.start), *first.breaks),
    )


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


def _pack(sentences: list[_Span], heading: str | None) -> list[Chunk]:
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
        parts = sentences[i:j]
        chunks.append(
            Chunk(
                parts[0].start,
                parts[-1].end,
                parts[0].page,
                heading,
                any(s.ocr for s in parts),
                parts[-1].page_end,
                tuple(b for s in parts for b in s.breaks),
            )
        )
        if j >= len(sentences):
            break
        last = sentences[j - 1]
        i = j - 1 if j - 1 > i and last.end - last.start <= OVERLAP_MAX_CHARS else j
    return chunks

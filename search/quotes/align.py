"""Where in a stretch of document text a quote sits, and how its words differ from the text's.

Two steps: rapidfuzz's partial alignment locates the quote in the folded words of the region (characters, so a
changed word still leaves the rest to match), then a word-level diff over that window, widened a little, decides the
exact first and last words. Offsets always point into the document text.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from search.quotes.words import Word, keys, words

WIDEN = 4  # words added on each side of the located window before the word diff trims it


@dataclass(frozen=True)
class Opcode:
    op: str  # equal | replace | insert | delete (from the quote's words to the original's)
    quote: tuple[int, int]  # word index range in the quote
    original: tuple[int, int]  # word index range in the original span


@dataclass(frozen=True)
class Alignment:
    char_start: int  # the matched span in the document text
    char_end: int
    words: list[Word]  # the span's words
    opcodes: list[Opcode]
    similarity: float  # 0..1, of the quote's words and the span's words


def similarity(a: list[str], b: list[str]) -> float:
    """Share of words two sequences have in common, in order (1.0 when equal)."""
    if not a and not b:
        return 1.0
    matched = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return 2 * matched / (len(a) + len(b))


def diff(quote_words: list[Word], original_words: list[Word]) -> list[Opcode]:
    """Word-level opcodes from the quote to the original."""
    matcher = SequenceMatcher(None, keys(quote_words), keys(original_words), autojunk=False)
    return [Opcode(op, (i1, i2), (j1, j2)) for op, i1, i2, j1, j2 in matcher.get_opcodes()]


def _locate(quote_words: list[Word], region: list[Word]) -> tuple[int, int]:
    """Index range of the region's words where the quote best fits (partial alignment on folded characters)."""
    joined, starts = "", []
    for word in region:
        starts.append(len(joined))
        joined += word.key + " "
    found = fuzz.partial_ratio_alignment(" ".join(keys(quote_words)), joined)
    assert found is not None  # None only below a score_cutoff, and none is given
    first = next((i for i, s in enumerate(starts) if s + len(region[i].key) > found.dest_start), 0)
    last = next((i for i in range(len(region) - 1, -1, -1) if starts[i] < found.dest_end), len(region) - 1)
    return first, max(first, last) + 1


def _trim(opcodes: list[Opcode], window: list[Word]) -> tuple[int, int]:
    """The window's word range the quote covers: words only the window has at either end are not part of it."""
    first, last = 0, len(window)
    head, tail = opcodes[0], opcodes[-1]
    if head.op == "insert":
        first = head.original[1]
    elif head.op == "replace":  # keep as many window words as the quote has there, next to the matched part
        first = max(head.original[0], head.original[1] - (head.quote[1] - head.quote[0]))
    if tail.op == "insert":
        last = tail.original[0]
    elif tail.op == "replace":
        last = min(tail.original[1], tail.original[0] + (tail.quote[1] - tail.quote[0]))
    return first, max(first, last)


def _with_punctuation(text: str, start: int, end: int, quote: str) -> tuple[int, int]:
    """Widen the span over the punctuation the quote itself has at its ends (a final full stop, quote marks)."""
    stripped = quote.strip()
    lead = len(stripped) - len(stripped.lstrip("\"'“”«»‘’„([—–-…"))
    trail = len(stripped) - len(stripped.rstrip(".,;:!?\"'“”«»‘’)]…"))
    while lead and start > 0 and not text[start - 1].isspace() and not text[start - 1].isalnum():
        start, lead = start - 1, lead - 1
    while trail and end < len(text) and not text[end].isspace() and not text[end].isalnum():
        end, trail = end + 1, trail - 1
    return start, end


def align(quote: str, quote_words: list[Word], text: str, region_start: int, region_end: int) -> Alignment | None:
    """The best placement of the quote inside text[region_start:region_end], or None when the region has no words."""
    region = words(text, region_start, region_end)
    if not region or not quote_words:
        return None
    first, last = _locate(quote_words, region)
    first, last = max(0, first - WIDEN), min(len(region), last + WIDEN)
    window = region[first:last]
    start, end = _trim(diff(quote_words, window), window)
    span = window[start:end]
    if not span:
        return None
    char_start, char_end = _with_punctuation(text, span[0].start, span[-1].end, quote)
    return Alignment(
        char_start=char_start,
        char_end=char_end,
        words=span,
        opcodes=diff(quote_words, span),
        similarity=similarity(keys(quote_words), keys(span)),
    )

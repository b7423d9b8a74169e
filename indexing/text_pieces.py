"""Text helpers that keep offsets exact: Unicode spaces folded one for one, long texts cut into pieces."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Every white-space character other than the ASCII ones (no-break, thin, ideographic, … spaces).
_UNICODE_SPACE = re.compile(r"[^\S \t\n\r\f\v]")


def fold_spaces(text: str) -> str:
    """The text with every Unicode space (NBSP, narrow NBSP, thin space, …) replaced by " " (same length)."""
    return _UNICODE_SPACE.sub(" ", text)


def text_pieces(text: str, max_chars: int) -> Iterator[tuple[int, int]]:
    """(start, end) spans covering `text` in order, each at most `max_chars` long.

    A piece ends at the last paragraph break before the limit, else the last line break, else the last space.
    """
    start = 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = text.rfind(separator, start + max_chars // 2, limit)
            if cut > start:
                cut += len(separator)
                break
        if cut <= start:
            cut = limit
        yield start, cut
        start = cut
    if start < len(text) or not text:
        yield start, len(text)


def blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with each (start, end) span replaced by as many spaces (same length, offsets unchanged)."""
    parts: list[str] = []
    position = 0
    for start, end in sorted(spans):
        start, end = max(start, position), min(end, len(text))
        if end <= start:
            continue
        parts += [text[position:start], " " * (end - start)]
        position = end
    parts.append(text[position:])
    return "".join(parts)

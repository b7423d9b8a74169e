"""Page furniture: running headers, footers, page numbers and site stamps repeated at the top or bottom of pages.

They are found per document and left out of passages by narrowing each page's slice of the text to what lies
between them; the stored text keeps them, so every offset stays exact.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from indexing.extract import Page

EDGE_LINES = 3  # lines looked at at the top and at the bottom of each page
MIN_PAGES = 3  # a document needs this many pages for a repeated line to count as furniture
MIN_SHARE = 0.5  # ... and the line must be at an edge of at least this share of its pages
MIN_SHARE_NUMBERED = 0.8  # a line repeated only with other numbers ("… p. 3") needs this share
MAX_CHARS = 100  # longer lines are text, never furniture
_PAGE_NUMBER = re.compile(
    r"^[\W_]*(?:(?:p|page|стр|страница|бет)\.?\s*)?\d{1,4}(?:\s*(?:of|из|/)\s*\d{1,4})?[\W_]*$", re.IGNORECASE
)
_DIGITS = re.compile(r"\d+")


def strip_furniture(text: str, pages: Sequence[Page]) -> list[Page]:
    """The pages with their slices narrowed to leave out the furniture at their top and bottom."""
    if len(pages) < MIN_PAGES:
        return list(pages)
    edges = [{" ".join(text[s:e].lower().split()) for s, e in _edge_lines(text, page)} for page in pages]
    exact = Counter(line for page_edges in edges for line in page_edges)
    numbered = Counter(key for page_edges in edges for key in {_DIGITS.sub("#", line) for line in page_edges})
    repeated = {line for line, n in exact.items() if n >= max(MIN_PAGES, MIN_SHARE * len(pages))}
    repeated |= {key for key, n in numbered.items() if n >= max(MIN_PAGES, MIN_SHARE_NUMBERED * len(pages))}
    return [_narrow(text, page, repeated) for page in pages]


def _narrow(text: str, page: Page, repeated: set[str]) -> Page:
    lines = _lines(text, page)
    start, end = 0, len(lines)
    while start < min(end, EDGE_LINES) and _is_furniture(text, lines[start], repeated):
        start += 1
    while end > max(start, len(lines) - EDGE_LINES) and _is_furniture(text, lines[end - 1], repeated):
        end -= 1
    if start == 0 and end == len(lines):
        return page
    if start == end:
        return replace(page, char_end=page.char_start)
    return replace(page, char_start=lines[start][0], char_end=lines[end - 1][1])


def _is_furniture(text: str, line: tuple[int, int], repeated: set[str]) -> bool:
    content = " ".join(text[line[0] : line[1]].lower().split())
    if len(content) > MAX_CHARS:
        return False
    return bool(_PAGE_NUMBER.match(content)) or content in repeated or _DIGITS.sub("#", content) in repeated


def _lines(text: str, page: Page) -> list[tuple[int, int]]:
    """(start, end) of the page's non-blank lines, without their surrounding white space."""
    spans = []
    for match in re.finditer(r"[^\n]+", text[page.char_start : page.char_end]):
        stripped = match.group(0).strip()
        if stripped:
            start = page.char_start + match.start() + match.group(0).index(stripped)
            spans.append((start, start + len(stripped)))
    return spans


def _edge_lines(text: str, page: Page) -> list[tuple[int, int]]:
    lines = _lines(text, page)
    edge = lines[:EDGE_LINES] + lines[max(EDGE_LINES, len(lines) - EDGE_LINES) :]
    return [(s, e) for s, e in edge if e - s <= MAX_CHARS]

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
MIN_SHARE_NUMBERED = 0.8  # a line repeated only with other numbers ("… p. 3") needs this share ...
MIN_PAGES_NUMBERED = 5  # ... of a document of at least this many pages (on fewer, numbered lines are text)
BLOCK_LINES = 4  # a block printed on every page (a title, an address, "p. 3") has at most this many lines ...
BLOCK_MAX_CHARS = 300  # ... each at most this long (a repeated block may hold a title longer than MAX_CHARS)
MAX_CHARS = 100  # longer lines are text, never furniture
RUNNING_HEAD_CHARS = 60  # a running head (a chapter or section title beside the page number) is this short ...
RUNNING_HEAD_PAGES = 2  # ... and printed on at least this many pages
_PAGE_NUMBER = re.compile(
    r"^[\W_]*(?:(?:p|page|стр|страница|бет)\.?\s*)?\d{1,4}(?:\s*(?:of|из|/)\s*\d{1,4})?[\W_]*$", re.IGNORECASE
)
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?…:;,]$")
PAGE_NUMBER_SLACK = 100  # a page may be numbered up to this much past the document's page count (front matter)


def strip_furniture(text: str, pages: Sequence[Page]) -> list[Page]:
    """The pages with their slices narrowed to leave out the furniture at their top and bottom."""
    if len(pages) < MIN_PAGES:
        return list(pages)
    edges = [{_normal(text, line) for line in _edge_lines(text, page)} for page in pages]
    exact = Counter(line for page_edges in edges for line in page_edges)
    numbered = Counter(key for page_edges in edges for key in {_DIGITS.sub("#", line) for line in page_edges})
    repeated = {line for line, n in exact.items() if n >= max(MIN_PAGES, MIN_SHARE * len(pages))}
    numbered_pages = max(MIN_PAGES_NUMBERED, MIN_SHARE_NUMBERED * len(pages))
    repeated |= {key for key, n in numbered.items() if n >= numbered_pages}
    repeated |= _running_heads(edges, len(pages))
    block_counts = Counter(key for page in pages for key in _edge_blocks(text, _lines(text, page)))
    blocks = {key for key, n in block_counts.items() if n >= numbered_pages}
    return [_narrow(text, page, repeated, blocks, len(pages)) for page in pages]


def _normal(text: str, line: tuple[int, int]) -> str:
    return " ".join(text[line[0] : line[1]].lower().split())


def _block_key(text: str, lines: Sequence[tuple[int, int]]) -> str | None:
    """What a block of lines at a page's edge is on every page: its lines, the last with its numbers left out (the
    page number); None when the block cannot be furniture (a line too long, or a last line that is long or has no
    number)."""
    contents = [_normal(text, line) for line in lines]
    if any(len(content) > BLOCK_MAX_CHARS for content in contents):
        return None
    if len(contents[-1]) > MAX_CHARS or not _DIGITS.search(contents[-1]):
        return None
    return "\n".join([*contents[:-1], _DIGITS.sub("#", contents[-1])])


def _edge_blocks(text: str, lines: list[tuple[int, int]]) -> set[str]:
    """The keys of the blocks of 2 to BLOCK_LINES lines at the top and at the bottom of a page."""
    keys = set()
    for size in range(2, min(BLOCK_LINES, len(lines)) + 1):
        for block in (lines[:size], lines[-size:]):
            key = _block_key(text, block)
            if key is not None:
                keys.add(key)
    return keys


def _block_size(text: str, lines: list[tuple[int, int]], blocks: set[str], top: bool) -> int:
    """How many lines at the top (or bottom) of a page are a block repeated on most pages (0 if none)."""
    for size in range(min(BLOCK_LINES, len(lines)), 1, -1):
        if _block_key(text, lines[:size] if top else lines[-size:]) in blocks:
            return size
    return 0


def _running_heads(edges: list[set[str]], page_count: int) -> set[str]:
    """Chapter and section titles printed beside the page number (they change from chapter to chapter, so they are
    not repeated on most pages): in a document whose pages carry their numbers at an edge, a short title at the edge
    of a numbered page, on at least RUNNING_HEAD_PAGES such pages."""
    numbered_pages = [
        page_edges for page_edges in edges if any(_is_page_number(line, page_count) for line in page_edges)
    ]
    if len(numbered_pages) < MIN_SHARE * page_count:
        return set()
    titles = Counter(
        line
        for page_edges in numbered_pages
        for line in page_edges
        if len(line) <= RUNNING_HEAD_CHARS and not _SENTENCE_END.search(line) and not _is_page_number(line, page_count)
    )
    return {line for line, n in titles.items() if n >= RUNNING_HEAD_PAGES}


def _narrow(text: str, page: Page, repeated: set[str], blocks: set[str], page_count: int) -> Page:
    """The page without the furniture at its edges: a repeated block, then repeated lines and page numbers. A page
    whose every line looks like furniture keeps them all but its page numbers: its only text is not furniture."""
    lines = _lines(text, page)
    start = _block_size(text, lines, blocks, top=True)
    end = len(lines) - _block_size(text, lines[start:], blocks, top=False)
    top_edge, bottom_edge = max(EDGE_LINES, start), min(len(lines) - EDGE_LINES, end)
    while start < min(end, top_edge) and _is_furniture(text, lines[start], repeated, page_count):
        start += 1
    while end > max(start, bottom_edge) and _is_furniture(text, lines[end - 1], repeated, page_count):
        end -= 1
    if start >= end:  # nothing but furniture: only the page numbers go
        start, end = 0, len(lines)
        while start < end and _is_page_number(_normal(text, lines[start]), page_count):
            start += 1
        while end > start and _is_page_number(_normal(text, lines[end - 1]), page_count):
            end -= 1
    if start == 0 and end == len(lines):
        return page
    if start == end:
        return replace(page, char_end=page.char_start)
    return replace(page, char_start=lines[start][0], char_end=lines[end - 1][1])


def _is_furniture(text: str, line: tuple[int, int], repeated: set[str], page_count: int) -> bool:
    content = _normal(text, line)
    if len(content) > MAX_CHARS:
        return False
    return _is_page_number(content, page_count) or content in repeated or _DIGITS.sub("#", content) in repeated


def _is_page_number(line: str, page_count: int) -> bool:
    """A lone page number ("12", "p. 12", "- 12 -", "12/50"), not a year or another number left alone on a line."""
    return bool(_PAGE_NUMBER.match(line)) and int(_DIGITS.findall(line)[0]) <= page_count + PAGE_NUMBER_SLACK


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


# Web pages saved as text carry the site around the article: navigation above the headline, a photo caption printed
# twice (alt text and caption), "see also" links between paragraphs, and an author box, notices and menus after the
# article. General rules find them; like page furniture they are left out of passages and kept in the stored text.
NAV_MAX_WORDS = 4  # a navigation or menu line is this short ...
MENU_MIN_LINES = 2  # ... in a run of at least this many lines
BODY_MIN_WORDS = 6  # ... and stands before the first line this long (the headline or the first paragraph)
TAIL_SHARE = 0.6  # a picture placeholder after this share of the text opens the page's footer
_SEE_ALSO = re.compile(
    r"^\W*(?:see also|read more|related|also read|more on this|читайте также|см\. также|по теме|сондай-ақ оқыңыз|"
    r"толығырақ)\b\s*:?",
    re.IGNORECASE,
)
_PICTURE = re.compile(r"^\W*(?:\d+\s*x\s*\d+\s+)?(?:image|photo|picture|video|фото|видео|сурет)\W*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…»”\"')]$")


WEB_PAGE_KINDS = frozenset({"news article"})  # documents saved from a web page, with the site around the article


def passage_regions(text: str, pages: Sequence[Page], kind: str | None) -> list[Page]:
    """The parts of a document that passages are made of: page furniture left out, and the site's boilerplate
    when the document is a web page (other texts keep every line: a title and a heading are not a menu)."""
    regions = strip_furniture(text, pages)
    return strip_web_boilerplate(text, regions) if kind in WEB_PAGE_KINDS else regions


def strip_web_boilerplate(text: str, pages: Sequence[Page]) -> list[Page]:
    """For a text without pages (a web page saved as text): regions of it without the site's boilerplate lines.

    Texts with pages (PDFs) are returned as they are; so is a text with no boilerplate.
    """
    if pages:
        return list(pages)
    lines = _lines(text, Page(number=None, char_start=0, char_end=len(text), ocr=False))
    left_out = _boilerplate_lines(text, lines)
    if not left_out:
        return []
    regions, start = [], 0
    for index in sorted(left_out):
        line_start, line_end = lines[index]
        if text[start:line_start].strip():
            regions.append(Page(number=None, char_start=start, char_end=line_start, ocr=False))
        start = line_end
    if text[start:].strip():
        regions.append(Page(number=None, char_start=start, char_end=len(text), ocr=False))
    return regions


def _boilerplate_lines(text: str, lines: list[tuple[int, int]]) -> set[int]:
    """Indexes of the lines that are the site's rather than the article's."""
    contents = [" ".join(text[s:e].split()) for s, e in lines]
    out: set[int] = set()
    top = []  # navigation above the headline: two or more short lines (one alone is a title)
    for index, content in enumerate(contents):
        if len(content.split()) >= BODY_MIN_WORDS:
            break
        if _is_menu_item(content):
            top.append(index)
    if len(top) >= MENU_MIN_LINES:
        out |= set(top)
    for index in range(len(contents) - 1):  # a caption printed twice, line after line (not a repeated paragraph)
        if contents[index] == contents[index + 1] and text.count("\n", lines[index][1], lines[index + 1][0]) == 1:
            out |= {index, index + 1}
    out |= {index for index, content in enumerate(contents) if _SEE_ALSO.match(content)}
    footer = next(
        (i for i, (s, _) in enumerate(lines) if s >= TAIL_SHARE * len(text) and _PICTURE.match(contents[i])), None
    )
    if footer is not None:
        out |= set(range(footer, len(lines)))
    end = len(contents)  # a menu after the last sentence
    while end > 0 and _is_menu_item(contents[end - 1]):
        end -= 1
    if len(contents) - end >= MENU_MIN_LINES:
        out |= set(range(end, len(contents)))
    return out


def _is_menu_item(content: str) -> bool:
    return len(content.split()) <= NAV_MAX_WORDS and not _SENTENCE_END.search(content)

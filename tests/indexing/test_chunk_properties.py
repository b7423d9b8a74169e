"""The chunker is total: any text with any page structure gives exact, ordered passages that cover every word."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.chunk import MAX_CHARS, Chunk, chunk_document
from indexing.extract import PAGE_SEPARATOR, Page

_WORDS = st.sampled_from(
    [
        "court", "Court", "Akhmetov", "суд", "Суд", "Мағжан", "Жұмабаев", "Бекенұлы", "Art.", "No.", "p.", "12.03.2022",
        "e.g.", "1.", "2.1.", "Maks Bokayev – a", "Мағжан Жұмабаев - ақын",
        "—", "-", "–", "«Қорқыт»", "(see", "above)", "“quoted”", "A.", "Ltd.", "…",
    ]
)  # fmt: skip
_PUNCTUATION = st.sampled_from([" ", " ", " ", "\u00a0", ". ", "? ", "! ", ", ", ": ", "\n", "\n\n", "\n \n", ".\n\n"])
_TOKENS = st.one_of(_WORDS, _PUNCTUATION, st.text(min_size=1, max_size=8), st.just("x" * 400))


@st.composite
def _page_texts(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(_TOKENS, max_size=60)))


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, list[Page]]:
    """A text and its regions as the extractor and the furniture filter make them: pages joined by a blank line,
    each page's region a slice of it (a line may be left out at either end), numbered in order or without numbers."""
    texts = draw(st.lists(_page_texts(), max_size=6))
    numbered = draw(st.booleans())
    text = PAGE_SEPARATOR.join(texts)
    regions: list[Page] = []
    offset = 0
    number = 0
    for page_text in texts:
        start, end = offset, offset + len(page_text)
        offset = end + len(PAGE_SEPARATOR)
        cut_start = draw(st.integers(0, len(page_text)))
        cut_end = draw(st.integers(cut_start, len(page_text)))
        if draw(st.booleans()):
            start, end = start + cut_start, start + cut_end
        number += draw(st.sampled_from([0, 1, 1, 2])) if regions else 1
        if end > start:
            regions.append(Page(number if numbered else None, start, end, draw(st.booleans())))
    return text, regions


def _check(text: str, regions: list[Page], chunks: list[Chunk]) -> None:
    regions = regions or [Page(None, 0, len(text), False)]  # no regions: the whole text is one
    inside = [False] * len(text)
    for region in regions:
        inside[region.char_start : region.char_end] = [True] * (region.char_end - region.char_start)
    covered = [False] * len(text)
    for chunk in chunks:
        passage = text[chunk.char_start : chunk.char_end]
        assert 0 <= chunk.char_start < chunk.char_end <= len(text)
        assert passage and passage == passage.strip()
        assert inside[chunk.char_start] and inside[chunk.char_end - 1]
        content = chunk.content(text)
        assert len(content) == len(passage)
        gaps = 0
        for start, end in chunk.page_breaks:
            assert chunk.char_start < start <= end < chunk.char_end
            assert all(not inside[i] or text[i].isspace() for i in range(start, end)), "a break hides page text"
            gaps += end - start
        assert len(passage) - gaps <= MAX_CHARS
        first = next(r for r in regions if r.char_start <= chunk.char_start < r.char_end)
        last = next(r for r in regions if r.char_start < chunk.char_end <= r.char_end)
        assert (chunk.page, chunk.page_end) == (first.number, last.number)
        for region in regions:  # a passage leaves a region only through a recorded page break
            if chunk.char_start < region.char_end < chunk.char_end:
                assert any(s <= region.char_end <= e for s, e in chunk.page_breaks)
        covered[chunk.char_start : chunk.char_end] = [True] * len(passage)
    assert [c.char_start for c in chunks] == sorted(c.char_start for c in chunks)
    assert all(covered[i] for i, ch in enumerate(text) if inside[i] and not ch.isspace()), "text left out"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_any_text_and_page_structure_gives_exact_passages(document: tuple[str, list[Page]]) -> None:
    text, regions = document
    _check(text, regions, chunk_document(text, regions))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_any_unicode_text_without_pages_gives_exact_passages(text: str) -> None:
    regions = [Page(None, 0, len(text), False)] if text else []
    _check(text, regions, chunk_document(text))


def test_a_page_that_ends_mid_sentence_before_a_persons_entry_is_not_joined_to_it() -> None:
    page_one, page_two = "A library's collection", "Мағжан Жұмабаев Бекенұлы - ақын 1893 жылы туған."
    text = page_one + PAGE_SEPARATOR + page_two
    pages = [Page(1, 0, len(page_one), False), Page(2, len(page_one) + 2, len(text), False)]
    chunks = chunk_document(text, pages)
    assert [(c.page, c.page_end) for c in chunks] == [(1, 1), (2, 2)]
    _check(text, pages, chunks)

"""Running headers, footers and page numbers are left out of passages (the stored text keeps them); words broken
at line ends are joined for embedding."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from indexing.chunk import chunk_document
from indexing.extract import PAGE_SEPARATOR, Page
from indexing.furniture import passage_regions, strip_furniture
from tests.pdfs import extract, write_pdf

HEADER = "The Constitution of the Russian Federation"
BODY = (
    "Article {n}. Everyone has the right to freedom and personal inviolability. "
    "Arrest and detention are allowed only by a court decision."
)


def _pages(parts: list[str]) -> tuple[str, list[Page]]:
    pages, offset = [], 0
    for number, part in enumerate(parts, start=1):
        pages.append(Page(number, offset, offset + len(part), False))
        offset += len(part) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), pages


def _document(count: int) -> tuple[str, list[Page]]:
    return _pages(
        [f"{HEADER}\n{BODY.format(n=n)}\nhttp://www.constitution.ru/ p. {n}\n{n}" for n in range(1, count + 1)]
    )


def test_repeated_headers_footers_and_page_numbers_are_left_out_of_passages():
    text, pages = _document(5)
    chunks = chunk_document(text, strip_furniture(text, pages))
    assert [text[c.char_start : c.char_end] for c in chunks] == [BODY.format(n=n) for n in range(1, 6)]
    assert [c.page for c in chunks] == [1, 2, 3, 4, 5]
    assert text.count(HEADER) == 5  # the stored text is unchanged


def test_short_documents_and_lines_not_repeated_keep_everything():
    text, pages = _document(2)
    assert strip_furniture(text, pages) == pages
    once = "A heading only on page one\n" + "Body text of the page. " * 3
    parts = [once] + ["Body text of another page. " * 3] * 3
    offsets = [sum(len(p) + 2 for p in parts[:i]) for i in range(len(parts))]
    pages = [Page(i + 1, o, o + len(p), False) for i, (o, p) in enumerate(zip(offsets, parts))]
    assert strip_furniture("\n\n".join(parts), pages)[0] == pages[0]


def test_line_end_hyphenation_is_joined_for_embedding_only():
    from indexing.chunk import embedding_text

    passage = "organisations repre-\nsenting victims; кар-\nтинки; Almaty-\nAstana; well-known"
    assert (
        embedding_text("T", passage) == "T\norganisations representing victims; картинки; Almaty-\nAstana; well-known"
    )


NEWS = """Accessibility links

Breaking News

Activist Sentenced To Two Years Over Ties To A Banned Political Group

The activist at a court hearing in Almaty (file photo)
The activist at a court hearing in Almaty (file photo)

ALMATY -- A court sentenced an activist to two years in prison on Monday for organizing a banned group.

SEE ALSO: Another Activist Jailed Over Links To The Same Group

The activist rejects the charges against him, calling them politically motivated.

He told reporters that he will appeal the sentence at a higher court.

  • 16x9 Image

    The News Service

    The News Service offers reporting in two languages about the issues that matter.

To find out more, click here.

XS
SM
MD"""


def test_web_page_boilerplate_is_left_out_of_passages_and_kept_in_the_text():
    from indexing.furniture import strip_web_boilerplate

    regions = strip_web_boilerplate(NEWS, [])
    passages = " ".join(NEWS[c.char_start : c.char_end] for c in chunk_document(NEWS, regions))
    for furniture in (
        "Accessibility links",
        "Breaking News",
        "file photo",
        "SEE ALSO",
        "16x9 Image",
        "offers reporting",
        "click here",
        "XS",
    ):
        assert furniture not in passages, furniture
        assert furniture in NEWS
    for body in (
        "Activist Sentenced To Two Years",
        "A court sentenced an activist",
        "calling them politically",
        "will appeal the sentence",
    ):
        assert body in passages, body
    assert all(region.number is None for region in regions)


def test_a_text_without_boilerplate_and_pdf_pages_are_left_as_they_are():
    from indexing.furniture import strip_web_boilerplate

    plain = "Court ruling\n\nThe court in Almaty upheld the sentence of the activist.\n"
    assert strip_web_boilerplate(plain, []) == []
    text, pages = _document(3)
    assert strip_web_boilerplate(text, pages) == pages


def test_a_paragraph_repeated_after_a_blank_line_is_text_not_a_caption():
    from indexing.furniture import strip_web_boilerplate

    paragraph = "The court in Almaty upheld the sentence of the activist on appeal."
    text = f"Court ruling\n\n{paragraph}\n\n{paragraph}\n\nThe defence said it would go to the Supreme Court.\n"
    assert strip_web_boilerplate(text, []) == []


def test_only_web_pages_lose_boilerplate_other_texts_keep_titles_headings_and_lists():
    from indexing.furniture import passage_regions

    article = "Blood vessels\n\n=== Veins ===\n\nVeins carry blood back to the heart from the organs of the body.\n"
    assert passage_regions(article, [], kind="encyclopedia article") == []  # no region cut: every line kept
    assert passage_regions(article, [], kind=None) == []
    assert passage_regions(NEWS, [], kind="news article")  # the news page is cut around its boilerplate


def test_running_heads_beside_page_numbers_are_left_out_though_each_chapter_has_its_own():
    chapters = ["INTRODUCTION", "INSTALLATION", "ADMINISTRATION"]
    parts = [
        f"{n // 3 + 1}\n{chapters[n // 3]}\n{n + 1}\n{BODY.format(n=n + 1)}" for n in range(9)
    ]  # 9 pages, three chapters: "chapter number / chapter title / page number" above the text
    text, pages = _pages(parts)
    kept = strip_furniture(text, pages)
    assert [text[p.char_start : p.char_end] for p in kept] == [BODY.format(n=n + 1) for n in range(9)]


def test_a_heading_printed_once_and_a_year_alone_on_a_line_stay():
    headings = ["Arrest", "Trial", "Appeal", "Prison", "Release"]
    parts = [f"{n}\n{headings[n - 1]}\n{BODY.format(n=n)}" for n in range(1, 6)]
    parts[2] += "\n(amended in\n2022)."
    text, pages = _pages(parts)
    kept = [text[p.char_start : p.char_end] for p in strip_furniture(text, pages)]
    assert [page.split("\n")[0] for page in kept] == headings
    assert kept[2].endswith("2022).")


def test_a_real_book_excerpt_is_repaired_and_its_running_heads_are_left_out():
    """Three pages of the Russian translation of "The Not So Short Introduction to LaTeX2e" (GPL-2.0-or-later,
    see tests/data/LICENSES.md): a text layer in cp1251 read as Latin-1, and "6 / Это нужно знать" above the text."""
    extracted = extract(Path(__file__).parent.parent / "data" / "lshortru_excerpt.pdf")
    assert "Это нужно знать" in extracted.text and "Ýòî" not in extracted.text
    kept = strip_furniture(extracted.text, extracted.pages)
    for page, narrowed in zip(extracted.pages, kept, strict=True):
        dropped = extracted.text[page.char_start : narrowed.char_start]
        assert dropped.split("\n")[:2][1] == "Это нужно знать" and dropped.split("\n")[0].isdigit()
        assert narrowed.char_end > narrowed.char_start


def test_a_short_document_whose_only_lines_differ_by_page_number_keeps_its_text(tmp_path: Path):
    """Three pages, one line each, differing only in the page number: text, not furniture."""
    lines = [f"Statement of the witness, part {n} of the hearing record" for n in (1, 2, 3)]
    extracted = extract(write_pdf(tmp_path / "three.pdf", tuple(lines)))
    regions = passage_regions(extracted.text, extracted.pages, None)
    chunks = chunk_document(extracted.text, regions)
    assert [extracted.text[c.char_start : c.char_end] for c in chunks] == lines


def test_a_page_whose_every_line_looks_like_furniture_keeps_all_but_its_page_number():
    parts = [f"{HEADER}\n{BODY.format(n=n)}\n{n}" for n in range(1, 6)] + [f"{HEADER}\n6"]
    text, pages = _pages(parts)
    kept = strip_furniture(text, pages)
    assert text[kept[5].char_start : kept[5].char_end] == HEADER  # its only text
    assert text[kept[0].char_start : kept[0].char_end] == BODY.format(n=1)


def test_a_repeated_multi_line_block_whose_last_line_alone_varies_is_left_out(tmp_path: Path):
    """30 pages each under the same block: a title with two dates longer than a line of furniture, an address, and
    "p. N"; none of it is in a passage, every sentence of the body is."""
    title = (
        "The Constitution of the Russian Federation of 25.12.1993 (adopted at the all-people voting) "
        "With amends of 30.12.2008"
    )
    url = "http://www.constitution.ru/en/10003000-01.htm"
    doc = pymupdf.open()
    bodies = []
    for n in range(1, 31):
        page = doc.new_page()
        for row, line in enumerate((title, url, f"p. {n}")):
            page.insert_text((40, 30 + 12 * row), line, fontsize=8)
        body = " ".join(f"Article {n * 10 + i}. Citizen {chr(65 + i)} of page {n} has rights." for i in range(10))
        page.insert_textbox(pymupdf.Rect(72, 80, 540, 770), body, fontsize=11)
        bodies.append(body)
    doc.save(tmp_path / "constitution.pdf")
    extracted = extract(tmp_path / "constitution.pdf")
    chunks = chunk_document(extracted.text, passage_regions(extracted.text, extracted.pages, None))
    contents = " ".join(" ".join(c.content(extracted.text).split()) for c in chunks)
    assert "With amends" not in contents and "constitution.ru" not in contents
    assert all(f"Article {n * 10 + 9}. Citizen J of page {n} has rights." in contents for n in range(1, 31))

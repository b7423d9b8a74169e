from indexing.chunk import MAX_CHARS, chunk_document, embedding_text
from indexing.extract import Page
from tests.conftest import CORPUS


def test_every_chunk_is_an_exact_slice_of_whole_sentences():
    text = (CORPUS / "002_442dd7a0fa2fa928.txt").read_text(encoding="utf-8")
    chunks = chunk_document(text)
    assert len(chunks) > 50
    for chunk in chunks:
        passage = text[chunk.char_start : chunk.char_end]
        assert passage == passage.strip() and passage
        assert len(passage) <= MAX_CHARS
        assert chunk.page is None
    # Chunks advance through the document and together cover every sentence.
    assert [c.char_start for c in chunks] == sorted(c.char_start for c in chunks)
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.char_start, chunk.char_end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_most_chunks_are_within_the_target_size():
    text = (CORPUS / "002_442dd7a0fa2fa928.txt").read_text(encoding="utf-8")
    sizes = sorted(c.char_end - c.char_start for c in chunk_document(text))
    median = sizes[len(sizes) // 2]
    assert 400 <= median <= MAX_CHARS


def test_abbreviations_do_not_end_a_sentence():
    text = "The court cited Art. 174 of the Code. " * 3 + "Opinion No. 16/2017 was ignored."
    chunk = chunk_document(text)[0]
    assert text[chunk.char_start : chunk.char_end].startswith("The court cited Art. 174")


def test_chunks_do_not_cross_a_page_where_a_sentence_ends():
    page_one = "First page sentence number one. " * 30
    page_two = "Second page sentence here. " * 5
    text = page_one.strip() + "\n\n" + page_two.strip()
    pages = (Page(1, 0, len(page_one.strip()), False), Page(2, len(page_one.strip()) + 2, len(text), True))
    chunks = chunk_document(text, pages)
    assert {c.page for c in chunks} == {1, 2}
    for chunk in chunks:
        page = pages[chunk.page - 1]
        assert page.char_start <= chunk.char_start < chunk.char_end <= page.char_end
        assert chunk.ocr == page.ocr


def test_a_person_section_carries_the_persons_name_as_context():
    text = (CORPUS / "002_442dd7a0fa2fa928.txt").read_text(encoding="utf-8")
    chunks = chunk_document(text)
    about_bokayev = [c for c in chunks if "Bokayev’s immediate release" in text[c.char_start : c.char_end]]
    assert about_bokayev and "Maks Bokayev" in about_bokayev[0].heading


def test_a_very_long_sentence_is_split_at_white_space():
    text = " ".join(["word"] * 1000) + "."
    chunks = chunk_document(text)
    assert len(chunks) > 1
    assert all(c.char_end - c.char_start <= MAX_CHARS for c in chunks)


def test_embedding_text_puts_context_before_the_exact_passage():
    assert embedding_text("Title", "Body.") == "Title\nBody."
    assert embedding_text(None, "Body.") == "Body."

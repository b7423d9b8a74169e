"""OCR lines Tesseract is not confident about (cover images, photos) are left out; real text is kept."""

from __future__ import annotations

from indexing.ocr_lines import text_from_tsv

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def _tsv(*words: tuple[int, int, int, str, float]) -> str:
    rows = [HEADER, "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t"]
    for number, (block, par, line, text, conf) in enumerate(words, start=1):
        rows.append(f"5\t1\t{block}\t{par}\t{line}\t{number}\t0\t0\t10\t10\t{conf}\t{text}")
    return "\n".join(rows) + "\n"


def test_confident_lines_are_kept_with_paragraph_breaks_and_junk_lines_dropped():
    tsv = _tsv(
        (1, 1, 1, "ie2", 12.0),
        (1, 1, 1, "Dole", 31.5),
        (1, 1, 1, "ем=", 8.0),
        (1, 1, 1, "Se", 20.0),
        (2, 1, 1, "Amnesty", 96.1),
        (2, 1, 1, "International", 95.0),
        (2, 1, 2, "Report", 91.0),
        (2, 1, 2, "2021", 89.0),
        (3, 1, 1, "Қазақстан", 88.0),
        (3, 1, 1, "Республикасы", 90.0),
    )
    assert text_from_tsv(tsv) == "Amnesty International\nReport 2021\n\nҚазақстан Республикасы"


def test_one_doubtful_word_does_not_drop_a_confident_line():
    tsv = _tsv((1, 1, 1, "The", 95.0), (1, 1, 1, "court", 94.0), (1, 1, 1, "in", 96.0), (1, 1, 1, "Aqtobe", 41.0))
    assert text_from_tsv(tsv) == "The court in Aqtobe"


def test_no_words_give_no_text():
    assert text_from_tsv(HEADER + "\n") == ""

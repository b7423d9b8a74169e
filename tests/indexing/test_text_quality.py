"""Text that is wrong or odd, made right: Unicode spaces as white space, junk PDF titles, mojibake text layers."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from sqlmodel import Session

from archive.models import Document
from indexing.chunk import MAX_CHARS, chunk_document, sentence_spans
from indexing.mojibake import repair_mojibake
from indexing.persons import find_person_mentions
from indexing.text_pieces import fold_spaces
from indexing.titles import choose_title, is_junk_title, title_from_text
from tests.pdfs import extract

RUSSIAN = (
    "Московский городской суд 12 мая 2021 г. — «Мемориал» признал Навального политзаключённым. Дело № 5. "
    "Правозащитники из ОВД-Инфо сообщили о новых задержаниях."
)
NBSP = "\u00a0"


def _pdf(path: Path, pages: tuple[str, ...], title: str | None) -> Path:
    doc = pymupdf.open()
    for text in pages:
        doc.new_page().insert_textbox(pymupdf.Rect(72, 72, 540, 770), text, fontsize=11)
    if title is not None:
        doc.set_metadata({"title": title})
    doc.save(path)
    return path


# ------------------------------------------------------------------------------------------ Unicode spaces
def test_unicode_spaces_are_folded_one_for_one():
    text = f"Алексей{NBSP}Навальный\u202fи\u2009Сергей\u3000Удальцов"
    folded = fold_spaces(text)
    assert folded == "Алексей Навальный и Сергей Удальцов" and len(folded) == len(text)


def test_a_long_sentence_joined_by_non_breaking_spaces_is_cut_between_words():
    words = ["правонарушении"] * 120
    text = NBSP.join(words) + "."
    chunks = chunk_document(text)
    assert len(chunks) > 1
    for chunk in chunks:
        passage = text[chunk.char_start : chunk.char_end]
        assert len(passage) <= MAX_CHARS
        assert all(word in ("правонарушении", "правонарушении.") for word in passage.split(NBSP))


def test_sentences_end_before_a_non_breaking_space():
    text = f"The court sentenced him.{NBSP}The appeal failed.{NBSP}{NBSP}Relatives protested."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "The court sentenced him.",
        "The appeal failed.",
        "Relatives protested.",
    ]


def test_names_joined_by_non_breaking_spaces_are_found_with_exact_offsets():
    text = f"The court sentenced the activist Marat{NBSP}Zhylanbayev to seven years on Monday."
    [mention] = find_person_mentions(text)
    assert (mention.name, text[mention.char_start : mention.char_end]) == (
        "Marat Zhylanbayev",
        f"Marat{NBSP}Zhylanbayev",
    )


# ------------------------------------------------------------------------------------------ titles
@pytest.mark.parametrize(
    "title",
    [
        "Microsoft Word - p1000406.txt.doc",
        "1",
        "scanned",
        "Scan0001",
        "untitled",
        "report_2020_final",
        "annual-report.pdf",
        "Документ1",
        "  ",
        "annual-report",
        "Adobe Photoshop PDF",
    ],
)
def test_junk_metadata_titles_are_recognised(title):
    assert is_junk_title(title, "annual-report.pdf")


@pytest.mark.parametrize(
    "title", ["Amnesty International Report 2020/21", "Конституция Республики Казахстан", "OVD-Info"]
)
def test_real_metadata_titles_are_kept(title):
    assert not is_junk_title(title, "x.pdf")
    assert choose_title(None, title, "Other heading\n\nBody.", "x.pdf") == title


def test_the_first_heading_replaces_a_junk_title_and_page_numbers_are_skipped():
    text = "3\n\nThe Constitution of the Republic of Kazakhstan\n\nArticle 1."
    assert title_from_text(text) == "The Constitution of the Republic of Kazakhstan"
    assert choose_title(None, "Microsoft Word - konst.doc", text, "konst.pdf") == title_from_text(text)
    assert choose_title("Curated", "Real title", text, "konst.pdf") == "Curated"


def test_ocr_noise_on_a_first_line_is_not_a_title():
    assert title_from_text("| у AS\n\nThe LinnSequencer\n\nA page of text.") == "The LinnSequencer"


def test_an_ingested_pdf_with_a_junk_title_is_titled_by_its_first_heading(fake_services, tmp_path):
    _pdf(
        tmp_path / "p1000406.pdf",
        ("Annual report on political prisoners\n\nThe court sentenced him.",),
        "Microsoft Word - p1000406.txt.doc",
    )
    [outcome] = fake_services.ingestor.ingest([tmp_path / "p1000406.pdf"])
    with Session(fake_services.engine) as session:
        assert session.get(Document, outcome.document_id).title == "Annual report on political prisoners"


# ------------------------------------------------------------------------------------------ mojibake
@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_cp1251_read_as_a_western_encoding_is_repaired_one_character_for_one(codec):
    broken = RUSSIAN.encode("cp1251").decode(codec)
    assert broken.startswith("Ìîñêîâñêèé")
    repaired = repair_mojibake(broken)
    assert repaired == RUSSIAN and len(repaired) == len(broken)


def test_text_that_is_not_mojibake_is_left_alone():
    for text in (RUSSIAN, "Café crème, résumé of the procès in Almaty. " * 5, "Plain English text. " * 10):
        assert repair_mojibake(text) == text


def test_a_pdf_text_layer_in_mojibake_is_repaired_and_offsets_point_into_the_repaired_text(tmp_path):
    broken = RUSSIAN.encode("cp1251").decode("latin-1").replace("\u0097", "-")  # Helvetica lacks C1 controls
    extracted = extract(_pdf(tmp_path / "broken.pdf", (broken, "English page two."), None))
    page = extracted.pages[0]
    page_text = extracted.text[page.char_start : page.char_end]
    assert "Московский городской суд" in page_text and "Навального" in page_text
    assert "Ì" not in extracted.text
    assert extracted.text[extracted.pages[1].char_start : extracted.pages[1].char_end] == "English page two."

"""Tests for `indexing.extract` and the PDF sandbox, on real files written with PyMuPDF."""

from __future__ import annotations

import os
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pymupdf
import pytest

from archive.errors import ExtractionError, UnsupportedFileTypeError
from indexing import pdf_sandbox
from indexing.extract import ExtractedText, ExtractionLimits, _assemble, clean_page_text
from indexing.pdf_sandbox import RawPage, RawPdf, extract_pdf_in_process, find_tessdata, ocr_languages
from tests.pdfs import FONT, PAGE_TEXTS, extract, write_pdf, write_scanned_pdf


def reason(path: Path, limits: ExtractionLimits | None = None) -> str:
    with pytest.raises(ExtractionError) as info:
        extract(path, limits)
    return str(info.value)


def ocr_or_skip(*languages: str) -> None:
    missing = set(languages) - set(ocr_languages(find_tessdata()))
    if missing:
        pytest.skip(f"Tesseract language data missing for {sorted(missing)}: apt-get install tesseract-ocr-*")


# --- PDFs ------------------------------------------------------------------------------------------------------


def test_pdf_pages_index_the_text(tmp_path: Path) -> None:
    result = extract(write_pdf(tmp_path / "report.pdf"))
    assert isinstance(result, ExtractedText)
    assert [p.number for p in result.pages] == [1, 2, 3]
    for page, expected in zip(result.pages, PAGE_TEXTS, strict=True):
        assert result.text[page.char_start : page.char_end] == expected
        assert not page.ocr
    assert result.text == "\n\n".join(PAGE_TEXTS)
    assert result.title_hint == "Test report"


def test_blank_page_gets_an_empty_slice(tmp_path: Path) -> None:
    result = extract(write_pdf(tmp_path / "gap.pdf", ("Before the gap, some text.", "", "After the gap, more text.")))
    blank = result.pages[1]
    assert blank.char_start == blank.char_end
    assert result.text[result.pages[2].char_start : result.pages[2].char_end] == "After the gap, more text."


def test_uppercase_suffix_is_accepted(tmp_path: Path) -> None:
    assert extract(write_pdf(tmp_path / "REPORT.PDF")).pages


def test_page_with_text_and_image_is_not_ocred(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "A page with a real text layer and a photo.")
    page.insert_image(pymupdf.Rect(72, 100, 200, 200), pixmap=pymupdf.Pixmap(pymupdf.csRGB, (0, 0, 50, 50), False))
    doc.save(tmp_path / "photo.pdf")
    result = extract(tmp_path / "photo.pdf")
    assert result.text == "A page with a real text layer and a photo."
    assert not result.pages[0].ocr


def test_cleaning_happens_before_offsets() -> None:
    assert clean_page_text("a  \r\nb\t\n\n\n\n\nc\x00d\f") == "a\nb\n\ncd"
    raw = RawPdf((RawPage("one  \n\n\n\ntwo \n", False), RawPage("\n\nthree\r\n", True)), None, False)
    result = _assemble(raw)
    assert result.text == "one\n\ntwo\n\nthree"
    assert [result.text[p.char_start : p.char_end] for p in result.pages] == ["one\n\ntwo", "three"]
    assert [p.ocr for p in result.pages] == [False, True]


# --- plain text ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_plain_text(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"note{suffix}"
    path.write_bytes("# Ахметов\r\nQaiyrbek was detained.\rEnd\n".encode())
    result = extract(path)
    assert result == ExtractedText("# Ахметов\nQaiyrbek was detained.\nEnd\n", (), None)


def test_bom_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfHello")
    assert extract(path).text == "Hello"


def test_non_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Proc\u00e8s verbal".encode("latin-1"))
    assert reason(path) == "not UTF-8 text (byte 0xE8 at offset 4); save the file as UTF-8"


def test_non_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom-latin1.txt"
    path.write_bytes(b"\xef\xbb\xbfab\xe9")
    assert "byte 0xE9 at offset 5" in reason(path)


def test_utf16_text_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Hello".encode("utf-16-le"))
    with pytest.raises(UnsupportedFileTypeError, match="utf16.txt is binary data, not a .txt file"):
        extract(path)


def test_whitespace_only_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text(" \n\t\n")
    assert "empty or whitespace only" in reason(path)


# --- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.pdf", "empty.txt"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    assert reason(tmp_path / name) == "empty file"


def test_missing_file(tmp_path: Path) -> None:
    assert reason(tmp_path / "nowhere.pdf").startswith("cannot read the file")


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_text("Dear editor, this is a plain letter.")
    assert reason(path) == "not a PDF (the file does not start with %PDF)"


def test_truncated_pdf(tmp_path: Path) -> None:
    data = write_pdf(tmp_path / "whole.pdf", PAGE_TEXTS * 3, garbage=3, deflate=True).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert reason(path).startswith("damaged PDF")


def test_garbage_with_pdf_header(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    assert reason(path).startswith("damaged PDF")


def test_encrypted_pdf(tmp_path: Path) -> None:
    aes256 = pymupdf.PDF_ENCRYPT_AES_256  # type: ignore[attr-defined]
    path = write_pdf(tmp_path / "secret.pdf", encryption=aes256, user_pw="u", owner_pw="o")
    assert reason(path) == "encrypted PDF: a password is needed"


def test_too_many_pages(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "long.pdf")
    assert reason(path, ExtractionLimits(max_pages=2)) == "PDF has 3 pages; the limit is 2"


def test_pdf_without_any_text(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page()
    doc.save(tmp_path / "blank.pdf")
    assert reason(tmp_path / "blank.pdf") == "no text could be extracted"


# --- sandbox ---------------------------------------------------------------------------------------------------


def _sleeping_child(path: str, limits: ExtractionLimits, conn: Connection) -> None:
    time.sleep(30)


def _crashing_child(path: str, limits: ExtractionLimits, conn: Connection) -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


@pytest.mark.timeout(20)  # the child sleeps 30 s: only killing it ends the test in time
def test_timeout_kills_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_sandbox, "_child_main", _sleeping_child)
    assert reason(write_pdf(tmp_path / "slow.pdf"), ExtractionLimits(timeout_s=0.5)) == (
        "PDF parser timed out after 0.5 s"
    )


def test_tiny_timeout_with_the_real_parser(tmp_path: Path) -> None:
    assert "timed out" in reason(write_pdf(tmp_path / "quick.pdf"), ExtractionLimits(timeout_s=0.001))


def test_child_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_sandbox, "_child_main", _crashing_child)
    assert reason(write_pdf(tmp_path / "crash.pdf")) == "PDF parser crashed (signal 11)"


@pytest.mark.ocr
def test_memory_limit(tmp_path: Path) -> None:
    ocr_or_skip("eng")  # OCR renders a 300 dpi page, which cannot fit in 1 MB
    path = write_scanned_pdf(tmp_path / "scan.pdf", "Memory hungry page")
    assert reason(path, ExtractionLimits(memory_mb=1)) == "PDF needs more than 1 MB to parse"


# --- OCR -------------------------------------------------------------------------------------------------------


@pytest.mark.ocr
def test_ocr_of_scanned_page(tmp_path: Path) -> None:
    ocr_or_skip("eng")
    text = "The journalist was sentenced to seven years in prison"
    result = extract(write_scanned_pdf(tmp_path / "scan.pdf", text))
    assert result.pages[0].ocr
    assert text in " ".join(result.text.split())
    assert result.text[result.pages[0].char_start : result.pages[0].char_end] == result.text


@pytest.mark.ocr
def test_ocr_of_kazakh_and_russian(tmp_path: Path) -> None:
    ocr_or_skip("kaz", "rus")
    if not Path(FONT).is_file():
        pytest.skip(f"font with Cyrillic glyphs not found: {FONT}")
    kazakh = write_scanned_pdf(tmp_path / "kk.pdf", "Қазақстан Республикасы адам құқықтары", FONT)
    assert "Қазақстан" in extract(kazakh).text
    russian = write_scanned_pdf(tmp_path / "ru.pdf", "Правозащитник осуждён, съезд прошёл", FONT)
    assert "осуждён" in extract(russian).text


def test_scanned_pdf_without_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_scanned_pdf(tmp_path / "scan.pdf", "Nobody can read this without OCR")
    monkeypatch.setattr(pdf_sandbox, "find_tessdata", lambda: None)
    raw = extract_pdf_in_process(path, ExtractionLimits())  # in-process: the child would not see the patch
    assert raw.ocr_unavailable
    with pytest.raises(ExtractionError, match=r"OCR is not available: install tesseract-ocr"):
        _assemble(raw)


def test_missing_language_falls_back(tmp_path: Path) -> None:
    (tmp_path / "eng.traineddata").write_bytes(b"")
    assert ocr_languages(str(tmp_path)) == ("eng",)
    assert ocr_languages(None) == ()


def test_a_page_whose_ocr_outlasts_its_budget_keeps_its_text_layer_and_the_document_goes_on(tmp_path: Path) -> None:
    """A dense drawing can keep Tesseract busy for minutes: that page is read from its text layer alone, instead
    of the parser timing out and the whole document failing."""
    ocr_or_skip("eng")
    scanned = write_scanned_pdf(tmp_path / "scan.pdf", "The court in Almaty postponed the hearing.")
    doc = pymupdf.open()
    doc.insert_pdf(pymupdf.open(write_pdf(tmp_path / "text.pdf")))
    doc.insert_pdf(pymupdf.open(scanned))
    doc.save(tmp_path / "both.pdf")
    raw = extract_pdf_in_process(tmp_path / "both.pdf", ExtractionLimits(timeout_s=0.001))
    assert [page.ocr for page in raw.pages] == [False] * (len(PAGE_TEXTS) + 1)
    assert raw.pages[0].text.strip() and raw.pages[-1].text == ""
    assert extract_pdf_in_process(scanned, ExtractionLimits()).pages[0].ocr  # with time, the page is OCR'd

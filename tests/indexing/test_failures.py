"""Files that used to fail or mislead: a text over spaCy's 1M-character limit, unexpected errors told in words,
an unchanged failed file not parsed again, and database errors that are not duplicates."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from archive.models import IngestJob, JobState, Mention, Person
from indexing import pipeline
from indexing.persons import extract as person_extract
from indexing.persons import find_person_mentions
from indexing.text_pieces import text_pieces

PARAGRAPH = (
    "On 5 May the court in Almaty sentenced the activist Marat Zhylanbayev to seven years. "
    "Observers said the trial was unfair.\n\n"
)


def _jobs(services) -> list[IngestJob]:
    with Session(services.engine) as session:
        return list(session.exec(select(IngestJob).order_by(IngestJob.id)))


def test_text_pieces_cover_the_text_in_order_and_end_at_paragraphs():
    text = PARAGRAPH * 50
    pieces = list(text_pieces(text, 1000))
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    assert all(0 < e - s <= 1000 and text[:e].endswith("\n\n") for s, e in pieces[:-1])
    assert list(text_pieces("x" * 25, 10)) == [(0, 10), (10, 20), (20, 25)]  # no break at all: cut hard


def test_long_texts_are_read_by_the_ner_model_in_pieces_with_exact_offsets(monkeypatch):
    nlp, _ = person_extract._pipeline()
    monkeypatch.setattr(nlp, "max_length", 5_000)  # as spaCy's 1,000,000 limit, made small
    monkeypatch.setattr(person_extract, "NER_PIECE_CHARS", 4_000)
    text = "Report\n\n" + PARAGRAPH * 200  # 24,000 characters
    mentions = find_person_mentions(text)
    assert len(mentions) == 200
    assert {text[m.char_start : m.char_end] for m in mentions} == {"Marat Zhylanbayev"}


@pytest.mark.slow
def test_a_document_over_a_million_characters_is_indexed(fake_services, tmp_path):
    big = tmp_path / "annual-report.txt"
    big.write_text("Annual report\n\n" + PARAGRAPH * (1_050_000 // len(PARAGRAPH)), encoding="utf-8")
    assert big.stat().st_size > 1_000_000
    [outcome] = fake_services.ingestor.ingest([big])
    assert outcome.state == JobState.indexed, outcome.reason
    assert outcome.passages > 1000
    with Session(fake_services.engine) as session:
        assert [p.name for p in session.exec(select(Person))] == ["Marat Zhylanbayev"]
        assert len(session.exec(select(Mention)).all()) > 1000


def test_an_unexpected_error_fails_the_file_with_the_stage_and_the_error_in_words(fake_services, tmp_path, monkeypatch):
    def broken(text: str):
        raise ValueError("[E088] Text of length 1200000 exceeds maximum of 1000000")

    monkeypatch.setattr(pipeline, "find_person_mentions", broken)
    (tmp_path / "report.txt").write_text("Report\n\n" + PARAGRAPH)
    [outcome] = fake_services.ingestor.ingest([tmp_path / "report.txt"])
    assert outcome.state == JobState.failed
    assert outcome.reason == (
        "unexpected error while finding the people named in the text: "
        "ValueError: [E088] Text of length 1200000 exceeds maximum of 1000000"
    )
    assert "server log" not in outcome.reason


def test_an_unchanged_file_that_failed_is_not_parsed_again_nor_given_a_new_job(fake_services, tmp_path, monkeypatch):
    (tmp_path / "empty.txt").write_bytes(b"")
    [first] = fake_services.ingestor.ingest([tmp_path / "empty.txt"])
    assert (first.state, first.reason) == (JobState.failed, "empty file")

    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(pipeline.formats, "read", must_not_parse)
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "empty.txt").write_bytes(b"")
    for path in (tmp_path / "empty.txt", tmp_path / "copy" / "empty.txt"):
        [again] = fake_services.ingestor.ingest([path])
        assert (again.state, again.job_id) == (JobState.failed, first.job_id)
        assert (
            again.reason == f"empty file (unchanged since job {first.job_id} failed; "
            f"`archive retry {first.job_id}` tries it again)"
        )
    assert len(_jobs(fake_services)) == 1


def test_an_integrity_error_other_than_the_same_file_is_a_failure_not_a_duplicate(fake_services, tmp_path, monkeypatch):
    def violates(session, document_id, signature):
        raise IntegrityError("INSERT INTO documentminhash", {}, Exception("NOT NULL constraint failed: band.key"))

    monkeypatch.setattr(pipeline.near_duplicates, "store_signature", violates)
    (tmp_path / "report.txt").write_text("Report\n\n" + PARAGRAPH)
    [outcome] = fake_services.ingestor.ingest([tmp_path / "report.txt"])
    assert outcome.state == JobState.failed
    assert outcome.reason == (
        "unexpected error while saving the document: IntegrityError: NOT NULL constraint failed: band.key"
    )
    assert len(fake_services.index) == 0

"""The ingest pipeline on real files: good ones indexed, bad ones failed with a reason, nothing lost."""

import re
from pathlib import Path

import pymupdf
from sqlmodel import Session, select

from archive.models import Document, IngestJob, Passage
from indexing.pipeline import collect_files
from tests.pdfs import write_pdf

REPORT_PAGES = (
    "Judge Aralbai Nagashibayev sentenced the activist to five years. The appeal was rejected in March.",
    "The lawyer said the trial was held online due to coronavirus precautions. Relatives were not admitted.",
)


def _bad_input_folder(folder: Path) -> dict[str, str]:
    """Good and bad files side by side; returns the bad files' names with a pattern their reason must match."""
    folder.mkdir()
    (folder / "article.txt").write_text("Court jails activist\n\nThe court sentenced the activist on Monday.\n")
    (folder / "notes.md").write_text("# Notes\n\nA hearing was postponed until May.\n")
    write_pdf(folder / "report.pdf", REPORT_PAGES)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.pdf").write_text("this is not really a PDF")
    full = (folder / "report.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(full[: len(full) // 3])
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    write_pdf(folder / "locked.pdf", ("secret",), encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="pw")
    (folder / "latin1.txt").write_bytes("Procès à Almaty".encode("latin-1"))
    return {
        "empty.txt": "empty file",
        "fake.pdf": "not a PDF",
        "truncated.pdf": "PDF|no text could be extracted",
        "garbage.pdf": "PDF|no text could be extracted",
        "locked.pdf": "encrypted PDF: a password is needed",
        "latin1.txt": "not UTF-8",
    }


def _counts(services) -> tuple[int, int, int]:
    with Session(services.engine) as session:
        return (
            len(session.exec(select(Document)).all()),
            len(session.exec(select(Passage)).all()),
            len(services.index),
        )


def test_bad_input_folder_every_file_ends_indexed_or_failed_with_a_reason(fake_services, tmp_path):
    expected_failures = _bad_input_folder(tmp_path / "inbox")
    files = list(collect_files([tmp_path / "inbox"]))
    outcomes = {Path(o.path).name: o for o in fake_services.ingestor.ingest(files)}

    assert set(outcomes) == {f.name for f in files}
    for name in ("article.txt", "notes.md", "report.pdf"):
        assert outcomes[name].state.value == "indexed", outcomes[name]
    for name, phrase in expected_failures.items():
        assert outcomes[name].state.value == "failed"
        assert re.search(phrase, outcomes[name].reason), (name, outcomes[name].reason)
        assert "Traceback" not in outcomes[name].reason and str(tmp_path) not in outcomes[name].reason

    with Session(fake_services.engine) as session:
        jobs = session.exec(select(IngestJob)).all()
        assert sorted(j.filename for j in jobs) == sorted(outcomes)
        assert all(j.state.value in ("indexed", "failed") for j in jobs)
    documents, passages, vectors = _counts(fake_services)
    assert documents == 3 and passages == vectors > 0


def test_ingesting_the_same_folder_twice_changes_nothing(fake_services, tmp_path):
    _bad_input_folder(tmp_path / "inbox")
    files = list(collect_files([tmp_path / "inbox"]))
    fake_services.ingestor.ingest(files)
    before = _counts(fake_services)
    second = fake_services.ingestor.ingest(files)
    assert {o.state.value for o in second if not o.path.endswith(tuple(_FAILING))} == {"duplicate"}
    assert _counts(fake_services) == before


_FAILING = ("empty.txt", "fake.pdf", "truncated.pdf", "garbage.pdf", "locked.pdf", "latin1.txt")


def test_pdf_passages_cite_the_page_that_holds_them(fake_services, tmp_path):
    pdf = write_pdf(tmp_path / "report.pdf", REPORT_PAGES)
    [outcome] = fake_services.ingestor.ingest([pdf])
    with Session(fake_services.engine) as session:
        document = session.get(Document, outcome.document_id)
        passages = session.exec(select(Passage).where(Passage.document_id == document.id)).all()
    assert document.page_count == 2
    pdf_pages = [page.get_text() for page in pymupdf.open(pdf)]
    for passage in passages:
        assert passage.text == document.text[passage.char_start : passage.char_end]
        assert " ".join(passage.text.split()) in " ".join(pdf_pages[passage.page_start - 1].split())
    assert {p.page_start for p in passages} == {1, 2}


def test_the_same_text_is_never_embedded_twice(fake_services, tmp_path):
    body = "The activist was sentenced to two years of freedom limitation.\n"
    (tmp_path / "a.txt").write_text("Copy A\n\n" + body)
    (tmp_path / "b.txt").write_text("Copy A\n\n" + body + "\n")  # same passage text, different file
    embedder = fake_services.embedder
    fake_services.ingestor.ingest([tmp_path / "a.txt"])
    embedded_before = sum(embedder.calls)
    fake_services.ingestor.ingest([tmp_path / "b.txt"])
    assert sum(embedder.calls) == embedded_before


def test_manifest_gives_metadata_and_other_files_get_a_title_from_their_first_line(fake_services, tmp_path):
    (tmp_path / "manifest.json").write_text(
        '{"known.txt": {"title": "Known title", "publisher": "NGO", "kind": "NGO report", "published": "2020-08-06"}}'
    )
    (tmp_path / "known.txt").write_text("First line\n\nBody text about a trial.\n")
    (tmp_path / "other.txt").write_text("\n  Headline of the other file  \n\nBody text.\n")
    fake_services.ingestor.ingest(list(collect_files([tmp_path])))
    with Session(fake_services.engine) as session:
        documents = {d.source: d for d in session.exec(select(Document)).all()}
    known, other = documents["known.txt"], documents["other.txt"]
    assert (known.title, known.publisher, known.kind, str(known.published)) == (
        "Known title",
        "NGO",
        "NGO report",
        "2020-08-06",
    )
    assert (other.title, other.source, other.publisher) == ("Headline of the other file", "other.txt", None)

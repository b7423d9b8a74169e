"""Ingest jobs: stored before parsing, retried after parser crashes, resumed after a dead writer, one writer at a
time; near-duplicates linked and shown once; scanned PDFs searchable through OCR."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.cli import cli
from api.services import Services
from archive.errors import ParserFailureError
from archive.lock import WriterLock
from archive.models import Document, IngestJob, JobState
from archive.settings import Settings
from indexing import jobs as job_store
from indexing import pipeline
from indexing.pdf_sandbox import find_tessdata, ocr_languages
from tests.conftest import CORPUS
from tests.pdfs import write_scanned_pdf

ARTICLE = CORPUS / "000_09b798c1b6119276.txt"


@pytest.fixture
def fake_services(each_fake_services):
    """Every job test runs on SQLite and on PostgreSQL."""
    return each_fake_services


def _jobs(services) -> list[IngestJob]:
    with Session(services.engine) as session:
        return list(session.exec(select(IngestJob).order_by(IngestJob.id)))


def _documents(services) -> list[Document]:
    with Session(services.engine) as session:
        return list(session.exec(select(Document).order_by(Document.id)))


def test_a_submitted_file_is_stored_content_addressed_and_queued_before_parsing(fake_services, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("A hearing\n\nThe hearing was postponed until May.\n")
    job_id = fake_services.ingestor.submit(source)
    source.unlink()  # the archive's copy is what gets processed
    [job] = _jobs(fake_services)
    assert (job.id, job.state, job.attempts, job.filename) == (job_id, JobState.queued, 0, "note.txt")
    stored = Path(job.stored_path)
    assert stored == fake_services.settings.files_dir / job.sha256[:2] / f"{job.sha256}.txt" and stored.is_file()
    with fake_services.ingestor.writer_lock():
        [outcome] = fake_services.ingestor.process_queued()
    assert outcome.state == JobState.indexed
    [job] = _jobs(fake_services)
    assert (job.state, job.attempts, job.document_id) == (JobState.indexed, 1, outcome.document_id)


def _crashing_extract(monkeypatch, crashes_left: dict[str, int]) -> None:
    """Parser crashes for stored files whose content names a key of `crashes_left` (as many times as its value)."""
    real = pipeline.formats.read

    def read(path, filename=None, limits=None, on_page=None):
        content = Path(path).read_text(errors="ignore")
        for marker, left in crashes_left.items():
            if marker in content and left != 0:
                crashes_left[marker] = left - 1
                raise ParserFailureError("PDF parser crashed (signal 11)")
        return real(path, filename, limits, on_page)

    monkeypatch.setattr(pipeline.formats, "read", read)


def test_a_parser_crash_is_retried_and_the_third_crash_fails_the_file(fake_services, tmp_path, monkeypatch):
    _crashing_extract(monkeypatch, {"ONCE": 1, "ALWAYS": -1})
    for name, body in {
        "flaky.txt": "Flaky file ONCE\n\nIt parses the second time.\n",
        "poison.txt": "Poison file ALWAYS\n\nIt never parses.\n",
        "fine.txt": "Fine file\n\nIt parses at once.\n",
    }.items():
        (tmp_path / name).write_text(body)
    outcomes = {Path(o.path).name: o for o in fake_services.ingestor.ingest(sorted(tmp_path.glob("*.txt")))}
    assert outcomes["flaky.txt"].state == JobState.indexed
    assert outcomes["fine.txt"].state == JobState.indexed
    assert outcomes["poison.txt"].state == JobState.failed
    assert outcomes["poison.txt"].reason == "PDF parser crashed (signal 11) (gave up after 3 attempts)"
    attempts = {job.filename: job.attempts for job in _jobs(fake_services)}
    assert attempts == {"flaky.txt": 2, "poison.txt": 3, "fine.txt": 1}


def test_a_bad_file_fails_at_once_without_retries(fake_services, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    [outcome] = fake_services.ingestor.ingest([tmp_path / "empty.txt"])
    assert (outcome.state, outcome.reason) == (JobState.failed, "empty file")
    assert [job.attempts for job in _jobs(fake_services)] == [1]


def test_jobs_left_running_by_a_dead_writer_are_queued_again(fake_services, tmp_path):
    """A kill counts against a file only when it came while the file was read; the user's next run retries it."""
    ingestor = fake_services.ingestor
    names = ("waiting.txt", "embedded.txt", "read.txt")
    for name in names:
        (tmp_path / name).write_text(f"File {name}\n\nThe court heard witness {name}.\n")
    waiting, embedded, read = (ingestor.submit(tmp_path / name) for name in names)
    with Session(fake_services.engine) as session:  # as a writer killed for the third time leaves them
        for job_id, stage in ((waiting, None), (embedded, None), (read, "reading")):
            job = session.get(IngestJob, job_id)
            job.state, job.attempts, job.stage = JobState.running, job_store.MAX_ATTEMPTS, stage
            session.add(job)
        session.commit()
    with ingestor.writer_lock():
        ingestor.process_queued()
    jobs = {job.id: job for job in _jobs(fake_services)}
    assert (jobs[waiting].state, jobs[waiting].attempts) == (JobState.indexed, job_store.MAX_ATTEMPTS)
    assert jobs[embedded].state == JobState.indexed
    assert jobs[read].state == JobState.failed and "interrupted 3 times while the file was read" in jobs[read].reason
    [again] = ingestor.ingest([tmp_path / "read.txt"])  # the same command run again
    assert (again.state, again.job_id) == (JobState.indexed, read)
    assert [job.state for job in _jobs(fake_services)] == [JobState.indexed] * 3


def test_a_file_that_crashes_the_parser_every_time_stays_set_aside(fake_services, tmp_path, monkeypatch):
    _crashing_extract(monkeypatch, {"ALWAYS": -1})
    (tmp_path / "poison.txt").write_text("Poison file ALWAYS\n\nIt never parses.\n")
    [first] = fake_services.ingestor.ingest([tmp_path / "poison.txt"])
    [again] = fake_services.ingestor.ingest([tmp_path / "poison.txt"])
    assert first.state == again.state == JobState.failed and again.job_id == first.job_id
    assert again.reason is not None and "gave up after 3 attempts" in again.reason
    assert [job.attempts for job in _jobs(fake_services)] == [3]


@pytest.mark.parametrize(
    "database_url", [None], ids=["sqlite"]
)  # PostgreSQL has no writer lock: workers share the queue (test_job_queue.py)
def test_ingest_waits_for_another_writer_and_then_takes_over(fake_services, tmp_path, database_url):
    (tmp_path / "late.txt").write_text("Late file\n\nWritten while another process held the lock.\n")
    other = WriterLock(fake_services.ingestor.lock_path)
    assert other.acquire(timeout=0)
    waited = threading.Event()
    result = {}

    def run():
        result["outcomes"] = fake_services.ingestor.ingest([tmp_path / "late.txt"], on_wait=lambda pid: waited.set())

    thread = threading.Thread(target=run)
    thread.start()
    assert waited.wait(10)
    assert [job.state for job in _jobs(fake_services)] == [JobState.queued]  # stored and queued, not processed
    other.release()
    thread.join(30)
    assert [o.state for o in result["outcomes"]] == [JobState.indexed]


def test_archive_jobs_and_retry(tmp_path, monkeypatch, database_url):
    if database_url:
        monkeypatch.setenv("DATABASE_URL", database_url)
    data = str(tmp_path / "data")
    (tmp_path / "ok.txt").write_text("Court ruling\n\nThe court upheld the sentence.\n")
    (tmp_path / "bad.txt").write_bytes("Procès".encode("latin-1"))
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["--data-dir", data, "ingest", str(tmp_path / "ok.txt"), str(tmp_path / "bad.txt")]
        ).exit_code
        == 1
    )
    listed = runner.invoke(cli, ["--data-dir", data, "jobs", "--state", "failed", "--json"])
    assert listed.exit_code == 0, listed.output
    body = listed.output[listed.output.index("{") :]
    import json

    report = json.loads(body)
    assert [(j["filename"], j["state"]) for j in report["jobs"]] == [("bad.txt", "failed")]
    assert report["jobs"][0]["reason"].startswith("not UTF-8")
    assert report["counts"]["indexed"] == 1 and report["counts"]["failed"] == 1
    text = runner.invoke(cli, ["--data-dir", data, "jobs"])
    assert "indexed   ok.txt document 1" in text.output and "failed    bad.txt: not UTF-8" in text.output
    retried = runner.invoke(cli, ["--data-dir", data, "retry"])
    assert retried.exit_code == 1 and "1 files: 0 indexed, 0 duplicate, 1 failed" in retried.output


# ------------------------------------------------------------------------------------------------ near-duplicates
def _republished(original: str) -> str:
    """The same article with another headline and one sentence rewritten."""
    lines = original.split("\n")
    lines[0] = "Kazakh Court Adds Two Months To Activist's Prison Term"
    text = "\n".join(lines)
    changed = "According to the KMBPCh, the court did not provide any explanation for its move."
    assert changed in text
    return text.replace(changed, "The rights bureau said the judges gave no reason at all for the harsher ruling.")


def test_a_republished_article_is_linked_to_its_original_and_shown_once(fake_services, tmp_path):
    original = ARTICLE.read_text()
    (tmp_path / "a_original.txt").write_text(original)
    (tmp_path / "b_republished.txt").write_text(_republished(original))
    (tmp_path / "c_other.txt").write_text((CORPUS / "001_0198198ce594f26e.txt").read_text())
    outcomes = fake_services.ingestor.ingest(sorted(tmp_path.glob("*.txt")))
    assert [o.state for o in outcomes] == [JobState.indexed] * 3
    first, copy, other = _documents(fake_services)
    assert copy.duplicate_of == first.id and first.duplicate_of is None and other.duplicate_of is None
    assert outcomes[1].reason.startswith(f"near-duplicate of document {first.id}")
    hits = fake_services.searcher.search("court toughened the sentence of jailed activist Akhmetov", k=10)
    assert hits and {hit.document.id for hit in hits} <= {first.id, other.id}
    assert first.id in {hit.document.id for hit in hits}
    from search.filters import SearchFilters

    only_copy = fake_services.searcher.search("Akhmetov", k=3, filters=SearchFilters(document_id=copy.id))
    assert only_copy and {hit.document.id for hit in only_copy} == {copy.id}  # still reachable when asked for


def test_the_exact_same_file_is_a_duplicate_job(fake_services, tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE.read_text())
    fake_services.ingestor.ingest([tmp_path / "a.txt"])
    [outcome] = fake_services.ingestor.ingest([tmp_path / "a.txt"])
    assert outcome.state == JobState.duplicate and outcome.reason.startswith("same file as document 1")
    assert len(_documents(fake_services)) == 1


# ------------------------------------------------------------------------------------------------ OCR
SCANNED_PARAGRAPH = (
    "Human rights defenders in Kazakhstan said the court in Almaty sentenced the activist to two years "
    "in a colony settlement after he signed a letter to the United Nations and the European Parliament."
)


@pytest.mark.ocr
def test_a_scanned_pdf_becomes_searchable_through_ocr(tmp_path):
    if "eng" not in ocr_languages(find_tessdata()):
        pytest.skip("Tesseract English data missing: apt-get install tesseract-ocr")
    services = Services.open(Settings(data_dir=tmp_path / "archive"))  # the real model: a real search
    try:
        (tmp_path / "weather.txt").write_text("Weather report\n\nSnow is expected in the mountains this weekend.\n")
        scanned = write_scanned_pdf(tmp_path / "scan.pdf", SCANNED_PARAGRAPH)
        outcomes = services.ingestor.ingest([tmp_path / "weather.txt", scanned])
        assert [o.state for o in outcomes] == [JobState.indexed, JobState.indexed], outcomes
        hits = services.searcher.search("activist sentenced after signing a letter to the United Nations", k=1)
        [hit] = hits
        assert hit.document.id == outcomes[1].document_id and hit.passage.ocr is True
        assert "United Nations" in hit.passage.text and hit.passage.page_start == 1
        with TestClient(create_app(services=services)) as client:
            assert client.get(f"/passages/{hit.passage.id}").json()["ocr"] is True
    finally:
        services.close()


@pytest.mark.parametrize(
    "database_url", [None], ids=["sqlite"]
)  # PostgreSQL has no writer lock: workers share the queue (test_job_queue.py)
def test_ingest_reports_files_that_the_lock_holder_processed_for_it(fake_services, tmp_path, database_url):
    (tmp_path / "queued.txt").write_text("Queued file\n\nProcessed by the writer that holds the lock.\n")
    server_lock = WriterLock(fake_services.ingestor.lock_path)  # as `archive serve`'s worker holds it
    assert server_lock.acquire(timeout=0)
    waited = threading.Event()
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(
            outcomes=fake_services.ingestor.ingest([tmp_path / "queued.txt"], on_wait=lambda pid: waited.set())
        )
    )
    thread.start()
    try:
        assert waited.wait(10)
        fake_services.ingestor.process_queued()  # the holder's worker works through the queue
        thread.join(30)
    finally:
        server_lock.release()
    [outcome] = result["outcomes"]
    assert outcome.state == JobState.indexed and outcome.path == str(tmp_path / "queued.txt")


def test_short_texts_are_never_called_near_duplicates():
    from indexing import near_duplicates

    assert near_duplicates.signature("Court ruling. The court upheld the sentence.") is None
    article = ARTICLE.read_text()
    assert (
        near_duplicates.similarity(near_duplicates.signature(article), near_duplicates.signature(_republished(article)))
        >= near_duplicates.THRESHOLD
    )
    other = (CORPUS / "001_0198198ce594f26e.txt").read_text()
    assert near_duplicates.similarity(near_duplicates.signature(article), near_duplicates.signature(other)) < 0.2

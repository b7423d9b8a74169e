"""Uploads over HTTP: authorised, size-limited, stored before the answer, processed by the server's worker."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.services import Services
from archive.access import Submission
from archive.errors import InvalidInputError
from archive.models import Document, IngestJob
from archive.settings import Settings
from indexing.manifest import metadata_for
from tests.fakes import FakeEmbedder
from tests.indexing.test_pipeline import _bad_input_folder
from tests.pdfs import write_pdf

TOKEN = "s3cret-editor-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _services(path: Path, token: str | None = TOKEN) -> Services:
    settings = Settings(data_dir=path, editor_token=token, max_upload_mb=1)
    return Services.open(settings, embedder=FakeEmbedder())


@pytest.fixture
def upload_archive(tmp_path: Path) -> Iterator[tuple[TestClient, Services]]:
    services = _services(tmp_path / "archive")
    with TestClient(create_app(services=services)) as client:
        yield client, services
    services.close()


def _upload(client: TestClient, name: str, content: bytes, headers=AUTH):
    return client.post("/documents", files={"file": (name, content)}, headers=headers)


def _wait(client: TestClient, job_id: int, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}", headers=AUTH).json()
        if job["state"] in ("indexed", "duplicate", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def _document_count(services: Services) -> int:
    with Session(services.engine) as session:
        return len(session.exec(select(Document)).all())


def test_uploads_need_the_editor_token(upload_archive):
    client, services = upload_archive
    body = b"Note\n\nSome text.\n"
    missing = _upload(client, "a.txt", body, headers={})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert _upload(client, "a.txt", body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert _upload(client, "a.txt", body, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    with Session(services.engine) as session:
        assert session.exec(select(IngestJob)).all() == []  # nothing stored for a refused upload


def test_writes_are_refused_when_no_token_is_configured(tmp_path):
    services = _services(tmp_path / "archive", token=None)
    with TestClient(create_app(services=services)) as client:
        response = _upload(client, "a.txt", b"Note\n\nText.\n")
        assert response.status_code == 401 and "not valid" in response.json()["detail"]
    services.close()


def test_an_oversized_upload_is_refused_with_413(upload_archive):
    client, services = upload_archive
    response = _upload(client, "big.txt", b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    assert _upload(client, "huge.pdf", b"%PDF-" + b"x" * (3 * 1024 * 1024)).status_code == 413  # refused early
    slightly_below = _upload(client, "ok.txt", b"Big\n\n" + b"word " * 200_000)
    assert slightly_below.status_code == 202
    assert [p.name for p in services.settings.files_dir.rglob("*") if p.name.startswith(".incoming")] == []


def test_a_body_that_is_not_a_file_upload_is_a_4xx(upload_archive):
    client, _ = upload_archive
    assert client.post("/documents", content=b"raw", headers=AUTH).status_code == 415
    no_file = client.post("/documents", data={"other": "x"}, files={"x": ("a.txt", b"a")}, headers=AUTH)
    assert no_file.status_code == 400 and "'file'" in no_file.json()["detail"]


def test_good_and_bad_files_uploaded_end_indexed_or_failed_with_their_reason(upload_archive, tmp_path):
    client, services = upload_archive
    expected_failures = _bad_input_folder(tmp_path / "inbox")
    job_ids = {}
    for path in sorted((tmp_path / "inbox").iterdir()):
        response = _upload(client, path.name, path.read_bytes())
        assert response.status_code == 202, (path.name, response.text)
        assert response.json()["state"] == "queued"
        job_ids[path.name] = response.json()["job_id"]
    jobs = {name: _wait(client, job_id) for name, job_id in job_ids.items()}
    for name in ("article.txt", "notes.md", "report.pdf"):
        assert jobs[name]["state"] == "indexed" and jobs[name]["document_id"], jobs[name]
    for name, phrase in expected_failures.items():
        assert jobs[name]["state"] == "failed" and re.search(phrase, jobs[name]["reason"]), jobs[name]
    assert set(jobs["article.txt"]) == {"id", "state", "reason", "document_id", "filename", "parent_job_id", "warnings"}
    listing = client.get("/jobs", params={"state": "failed"}, headers=AUTH).json()
    assert sorted(j["filename"] for j in listing["jobs"]) == sorted(expected_failures)
    assert listing["counts"]["indexed"] == 3 and listing["counts"]["failed"] == len(expected_failures)
    progress = client.get("/jobs/progress", headers=AUTH).json()
    assert set(progress) == {
        "done",
        "total",
        "pages",
        "passages",
        "passages_per_s",
        "characters_per_s",
        "characters_left",
        "elapsed_s",
        "eta_s",
        "current",
        "percent",
        "jobs",
    }
    assert progress["done"] <= progress["total"]
    health = client.get("/health").json()
    assert health["documents"] == 3 and health["passages"] == health["index_vectors"] > 0
    assert client.get("/jobs/999999", headers=AUTH).status_code == 404


def test_the_same_file_uploaded_twice_and_ten_times_at_once_is_one_document(upload_archive):
    client, services = upload_archive
    body = b"Court ruling\n\nThe court in Almaty upheld the sentence of the activist.\n"
    first = _wait(client, _upload(client, "ruling.txt", body).json()["job_id"])
    second = _wait(client, _upload(client, "ruling-copy.txt", body).json()["job_id"])
    assert (first["state"], second["state"]) == ("indexed", "duplicate")
    assert second["document_id"] == first["document_id"]

    other = b"Another ruling\n\nThe appeal court in Astana rejected the appeal of the journalist.\n"
    with ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(lambda i: _upload(client, f"copy{i}.txt", other), range(10)))
    assert [r.status_code for r in responses] == [202] * 10
    states = sorted(_wait(client, r.json()["job_id"])["state"] for r in responses)
    assert states == ["duplicate"] * 9 + ["indexed"]
    assert _document_count(services) == 2


def test_an_accepted_upload_survives_a_restart(tmp_path):
    services = _services(tmp_path / "archive")
    job_id = services.ingestor.submit_stream(  # accepted, then the server dies before its worker gets to it
        __import__("io").BytesIO(b"Kept\n\nThis file was accepted before a crash.\n"),
        "kept.txt",
        submission=Submission(by="editor-token"),  # as the upload route records its editor
    )
    services.close()
    services = _services(tmp_path / "archive")
    with TestClient(create_app(services=services)) as client:
        assert _wait(client, job_id)["state"] == "indexed"
    services.close()


def _wait_for_children(client: TestClient, parent_job: int, count: int, timeout: float = 120) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = client.get("/jobs", headers=AUTH).json()["jobs"]
        children = [job for job in jobs if job["parent_job_id"] == parent_job]
        if len(children) == count and all(job["state"] in ("indexed", "duplicate", "failed") for job in children):
            return children
        time.sleep(0.2)
    raise AssertionError(f"the attachments of job {parent_job} did not finish")


def test_an_uploaded_email_and_its_attachments_know_each_other(upload_archive):
    client, _ = upload_archive
    data = Path(__file__).parent.parent / "data" / "formats"
    message_job = _wait(
        client,
        _upload(client, "hearing.eml", (data / "hearing_with_two_attachments.eml").read_bytes()).json()["job_id"],
    )
    assert message_job["state"] == "indexed", message_job
    children = _wait_for_children(client, message_job["id"], 2)
    assert sorted(job["filename"] for job in children) == ["hearing-notes.txt", "lawyer statement.docx"]
    message = client.get(f"/documents/{message_job['document_id']}").json()
    assert message["format"] == "eml" and message["properties"]["cc"] == "archive@example.org"
    assert message["title"] == "Hearing notes and the lawyer's statement" and message["published"] == "2021-05-05"
    assert [(a["filename"], a["state"]) for a in message["attachments"]] == [
        ("hearing-notes.txt", "indexed"),
        ("lawyer statement.docx", "indexed"),
    ]
    notes = client.get(f"/documents/{message['attachments'][0]['document_id']}").json()
    assert [parent["id"] for parent in notes["attached_to"]] == [message["id"]]
    page = client.get(f"/read/{notes['id']}").text
    assert "Attached to" in page and "Hearing notes and the lawyer" in page
    assert "lawyer statement.docx" in client.get(f"/read/{message['id']}").text


def test_an_uploaded_web_page_is_read_but_its_original_is_only_downloaded(upload_archive):
    client, _ = upload_archive
    html = (Path(__file__).parent.parent / "data" / "formats" / "anarc_cdpath_replacements.html").read_bytes()
    job = _wait(client, _upload(client, "cdpath.html", html).json()["job_id"])
    assert job["state"] == "indexed", job
    document = client.get(f"/documents/{job['document_id']}").json()
    assert (document["title"], document["published"], document["format"]) == (
        "CDPATH replacements",
        "2020-10-18",
        "html",
    )
    original = client.get(f"/documents/{job['document_id']}/file")
    assert original.content == html
    assert original.headers["content-type"] == "application/octet-stream"
    assert original.headers["content-disposition"].startswith("attachment")


METADATA = {
    "title": "Verdict in the case of the Almaty activists",
    "publisher": "Kazakhstan Bureau for Human Rights",
    "published": "2021-05",
    "kind": "NGO report",
    "language": "ru",
}


def test_an_upload_states_title_publisher_date_kind_and_language(upload_archive, tmp_path):
    client, _ = upload_archive
    pdf = write_pdf(tmp_path / "scan0001.pdf", ("Приговор по делу активистов.", "Суд отклонил апелляцию."))
    response = client.post(
        "/documents", files={"file": ("scan0001.pdf", pdf.read_bytes())}, data=METADATA, headers=AUTH
    )
    assert response.status_code == 202, response.text
    job = _wait(client, response.json()["job_id"])
    document = client.get(f"/documents/{job['document_id']}").json()
    stated = {name: document[name] for name in ("title", "publisher", "published", "kind", "language")}
    assert stated == METADATA  # "2021-05": the month, as precise as stated


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("published", "2021-13-01", "published: '2021-13-01' is not a date"),
        ("published", "last spring", "published: 'last spring' is not a date"),
        ("language", "de", "language: 'de' is not one of the archive's languages (en, ru, kk)"),
    ],
)
def test_upload_metadata_the_manifest_would_refuse_is_a_400_naming_the_field(
    upload_archive, tmp_path, field, value, says
):
    client, services = upload_archive
    entry = {**METADATA, field: value}
    response = client.post("/documents", files={"file": ("a.txt", b"Note\n\nText.\n")}, data=entry, headers=AUTH)
    assert response.status_code == 400 and says in response.json()["detail"], response.text
    with Session(services.engine) as session:
        assert session.exec(select(IngestJob)).all() == []  # refused before anything is stored
    # The same entry in a manifest.json is refused by the same rule, in the same words.
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text("Note\n\nText.\n", encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"a.txt": entry}), encoding="utf-8")
    with pytest.raises(InvalidInputError, match=re.escape(says)):
        metadata_for(folder / "a.txt")


def test_an_uploaded_pdf_without_metadata_is_described_as_the_command_line_describes_it(upload_archive, tmp_path):
    client, _ = upload_archive
    pdf = tmp_path / "inbox" / "lshortru_excerpt.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes((Path(__file__).parent.parent / "data" / "lshortru_excerpt.pdf").read_bytes())
    uploaded = _wait(client, _upload(client, pdf.name, pdf.read_bytes()).json()["job_id"])
    from_upload = client.get(f"/documents/{uploaded['document_id']}").json()
    command_line = _services(tmp_path / "cli")
    try:
        (outcome,) = command_line.ingestor.ingest([pdf])
        with Session(command_line.engine) as session:
            document = session.get(Document, outcome.document_id)
            assert document is not None
            from_cli = {name: getattr(document, name) for name in ("source", "title", "published", "language", "kind")}
    finally:
        command_line.close()
    assert {name: from_upload[name] for name in from_cli} == from_cli
    assert from_cli["title"] == "Это нужно знать"  # the first heading, not the file name

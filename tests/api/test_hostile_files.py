"""Files written to do harm or to confuse: formulas for spreadsheets, names longer than a file system allows."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import cli
from api.export import csv_text, spreadsheet_safe
from api.services import Services
from archive.settings import Settings
from indexing.extract import page_warnings
from tests.fakes import small_archive
from tests.pdfs import extract, write_pdf

TOKEN = "hostile-files-editor-token"
EDITOR = {"Authorization": f"Bearer {TOKEN}"}
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("hostile")
    with small_archive(folder, editor_token=TOKEN, max_upload_mb=1) as services:
        path = folder / "formula.txt"
        path.write_text(f"{FORMULA}\n\n{FORMULA} the quarzelbrook hearing was moved.\n", encoding="utf-8")
        (outcome,) = services.ingestor.ingest([path])
        assert outcome.state.value == "indexed", outcome
        yield services


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=services)) as client:
        yield client


def test_a_csv_export_never_hands_a_spreadsheet_a_formula(client: TestClient) -> None:
    response = client.get("/search/export", params={"q": "quarzelbrook hearing", "format": "csv", "k": 3})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    found = [row for row in rows if "quarzelbrook" in row["quote"]]
    assert found
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values()), row
    assert found[0]["quote"].startswith("'" + FORMULA)  # kept, shown as text
    json_quotes = [r["text"] for r in client.get("/search", params={"q": "quarzelbrook hearing"}).json()["results"]]
    assert any(q.startswith(FORMULA) for q in json_quotes)  # only the CSV cell is changed


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised_in_every_cell(start: str) -> None:
    value = f"{start}1+2"
    assert spreadsheet_safe(value) == "'" + value
    written = csv_text([f"{start}head", "plain"], [{f"{start}head": value, "plain": 5}])
    header, row = list(csv.reader(io.StringIO(written)))
    assert header == [f"'{start}head", "plain"] and row == ["'" + value, "5"]
    assert spreadsheet_safe("a = b") == "a = b" and spreadsheet_safe(-3) == -3


def test_a_long_file_name_is_shortened_keeping_its_extension(client: TestClient) -> None:
    name = "a" * 300 + ".txt"
    response = client.post(
        "/documents", files={"file": (name, b"Long name\n\nA note with a long name.\n")}, headers=EDITOR
    )
    assert response.status_code == 202, response.text
    filename = client.get(f"/jobs/{response.json()['job_id']}", headers=EDITOR).json()["filename"]
    assert filename == "a" * 251 + ".txt"
    refused = client.post("/documents", files={"file": ("b" * 300 + ".exe", b"MZ")}, headers=EDITOR)
    assert refused.status_code == 415 and ".exe" in refused.json()["detail"]


def _wait(client: TestClient, job_id: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}", headers=EDITOR).json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_pages_a_truncated_pdf_lost_are_named_on_its_document_and_job(client: TestClient, tmp_path: Path) -> None:
    texts = tuple(f"Page {n} of the quelvorin hearing record. " * 30 for n in ("one", "two", "three"))
    whole = write_pdf(tmp_path / "whole.pdf", texts).read_bytes()
    response = client.post("/documents", files={"file": ("cut.pdf", whole[: len(whole) // 2])}, headers=EDITOR)
    assert response.status_code == 202, response.text
    job = _wait(client, response.json()["job_id"])
    assert job["state"] == "indexed", job
    assert job["warnings"] == ["pages 2–3 could not be read"]
    document = client.get(f"/documents/{job['document_id']}").json()
    assert document["warnings"] == ["pages 2–3 could not be read"] and document["page_count"] == 3
    page = client.get(f"/read/{job['document_id']}").text
    assert "Pages 2–3 could not be read" in page
    intact = client.post("/documents", files={"file": ("whole.pdf", whole)}, headers=EDITOR)
    complete = _wait(client, intact.json()["job_id"])
    assert complete["state"] == "indexed" and complete["warnings"] == []
    assert client.get(f"/documents/{complete['document_id']}").json()["warnings"] == []


@pytest.mark.parametrize("name", ["lshortru_excerpt.pdf"])
def test_an_intact_real_pdf_has_no_warnings(name: str) -> None:
    assert extract(Path(__file__).parent.parent / "data" / name).warnings == ()


def test_page_warnings_name_runs_of_pages() -> None:
    assert page_warnings(()) == ()
    assert page_warnings((3,)) == ("page 3 could not be read",)
    assert page_warnings((2, 3, 7, 9, 10, 11)) == ("pages 2–3, 7, 9–11 could not be read",)


def test_one_size_limit_for_the_command_line_and_uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_MAX_FILE_MB", "2")
    assert Settings().max_file_mb == 2
    monkeypatch.delenv("ARCHIVE_MAX_FILE_MB")
    monkeypatch.setenv("ARCHIVE_MAX_UPLOAD_MB", "3")  # the former name still works
    assert Settings().max_file_mb == 3
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "big.txt").write_text("Big\n\n" + "The hearing was long. " * 60_000)  # 1.3 MB
    (inbox / "small.txt").write_text("Small\n\nThe hearing was short.\n")
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "ingest", str(inbox)], env={"ARCHIVE_MAX_FILE_MB": "1"})
    assert result.exit_code == 1, result.output
    assert "failed: " in result.output and "big.txt: file too large (1.3 MB; the limit is 1 MB" in result.output
    assert "2 files: 1 indexed, 0 duplicate, 1 failed" in result.output
    assert not list((data / "files").rglob("*.txt"))[1:]  # only the small file was stored

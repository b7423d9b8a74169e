"""The `archive` command line, driven with click's CliRunner."""

import json
import threading

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from api.cli import cli
from archive.db import make_engine, session_scope
from archive.lock import WriterLock
from archive.models import Person
from archive.settings import Settings
from tests.conftest import DATABASES, QUESTIONS


def test_ingest_reports_every_file_and_fails_when_one_failed(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.txt").write_text("Court ruling\n\nThe court in Almaty upheld the sentence of the activist.\n")
    (inbox / "empty.txt").write_bytes(b"")
    runner = CliRunner()
    data = str(tmp_path / "data")
    result = runner.invoke(cli, ["--data-dir", data, "ingest", str(inbox)])
    assert result.exit_code == 1, result.output
    assert "2 files: 1 indexed, 0 duplicate, 1 failed" in result.output
    assert "empty.txt: empty file" in result.output

    again = runner.invoke(cli, ["--data-dir", data, "ingest", str(inbox / "good.txt")])
    assert again.exit_code == 0, again.output
    assert "1 files: 0 indexed, 1 duplicate, 0 failed" in again.output

    found = runner.invoke(cli, ["--data-dir", data, "search", "Almaty court", "-k", "1", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["results"][0]["text"].startswith("Court ruling")


def test_search_and_eval_on_the_seed_archive(seed_services, seed_settings):
    runner = CliRunner()
    data = str(seed_settings.resolved_data_dir)
    result = runner.invoke(cli, ["--data-dir", data, "search", "Podslushano v Riddere", "-k", "2"])
    assert result.exit_code == 0, result.output
    assert "1. List of Kazakhstani political prisoners" in result.output and "characters" in result.output

    report = runner.invoke(cli, ["--data-dir", data, "eval", str(QUESTIONS), "--json"])
    assert report.exit_code == 0, report.output
    figures = json.loads(report.output)
    assert {s["lang"] for s in figures["by_language"]} == {"en", "ru", "kk"}
    assert figures["overall"]["questions"] == 30
    assert figures["dense"]["overall"]["questions"] == 30  # the dense half alone, side by side


def test_errors_are_one_line_messages(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["--data-dir", str(tmp_path), "search", "   "])
    assert result.exit_code == 1
    assert "Error: the query is empty" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("database", DATABASES)
def test_reindex_rebuilds_from_stored_embeddings(request, database, monkeypatch):
    seed_services = request.getfixturevalue(f"{database}_seed_services")
    seed_settings = seed_services.settings
    if seed_settings.database_url:
        monkeypatch.setenv("DATABASE_URL", seed_settings.database_url)
    runner = CliRunner()
    result = runner.invoke(cli, ["--data-dir", str(seed_settings.resolved_data_dir), "reindex"])
    assert result.exit_code == 0, result.output
    assert f"vector index rebuilt: {len(seed_services.index)} vectors (flat)" in result.output


def test_ingest_writes_its_log_in_the_data_folder(tmp_path, monkeypatch):
    from indexing import pipeline

    def broken(text: str):
        raise ValueError("the person finder broke")

    monkeypatch.setattr(pipeline, "find_person_mentions", broken)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "report.txt").write_text("Court ruling\n\nThe court in Almaty upheld the sentence of the activist.\n")
    (inbox / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "ingest", str(inbox)])
    assert result.exit_code == 1, result.output
    log = (tmp_path / "data" / "logs" / "ingest.log").read_text(encoding="utf-8")
    assert "empty.txt: failed (empty file)" in log
    assert "unexpected error while finding the people named in the text of report.txt" in log
    assert "Traceback" in log and "ValueError: the person finder broke" in log
    assert "Traceback" not in result.output and "logs/ingest.log" in result.output  # the summary points to it


@pytest.mark.timeout(120)
def test_a_person_merge_waits_while_another_process_writes(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    engine = make_engine(settings)
    with session_scope(engine) as session:
        session.add_all([Person(name="Marat Zhylanbayev"), Person(name="Марат Жыланбаев")])
    lock = WriterLock(settings.writer_lock_path)
    assert lock.acquire(timeout=0)
    results = []
    merge = ["--data-dir", str(settings.data_dir), "persons", "merge", "1", "2"]
    thread = threading.Thread(target=lambda: results.append(CliRunner().invoke(cli, merge)))
    thread.start()
    try:
        thread.join(timeout=1.0)
        assert thread.is_alive()  # waiting for the writer to finish
        with Session(engine) as session:
            assert session.get(Person, 2) is not None
    finally:
        lock.release()
    thread.join()
    assert results[0].exit_code == 0, results[0].output
    assert "being written by process" in results[0].output and "merged into 1." in results[0].output
    with Session(engine) as session:
        assert session.get(Person, 2) is None

"""`archive ingest` killed with SIGKILL at several moments, then run again: every file indexed exactly once, and
the passages table, the lexical index and the FAISS file agree. Runs the real CLI (and the real model) as a process,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from indexing.vector_index import VectorIndex
from tests.conftest import CORPUS, ROOT
from tests.fakes import slow_cli
from tests.pdfs import write_pdf

FILES = 14


def _inbox(folder: Path) -> list[Path]:
    """Small, distinct files cut from the bundled NGO report, and one PDF (parsed in a child process)."""
    folder.mkdir()
    words = (CORPUS / "002_442dd7a0fa2fa928.txt").read_text().split()
    paths = []
    for i in range(FILES - 1):
        body = " ".join(words[i * 80 : i * 80 + 60])
        path = folder / f"part{i:02d}.txt"
        path.write_text(f"Part {i}\n\n{body}\n")
        paths.append(path)
    paths.append(write_pdf(folder / "report.pdf", (" ".join(words[5000:5060]), " ".join(words[6000:6060]))))
    return paths


class Database:
    """Read-only looks into the archive's database while (and after) the CLI writes it."""

    def __init__(self, data: Path, url: str | None) -> None:
        self.db = data / "archive.db"
        self.url = url
        self.engine = create_engine(url) if url else None

    def query(self, sql: str) -> list[tuple]:
        if self.engine is not None:
            try:
                with self.engine.connect() as connection:
                    return [tuple(row) for row in connection.execute(text(sql))]
            except ProgrammingError:  # schema not written yet
                return []
        if not self.db.exists():
            return []
        try:
            with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5) as connection:
                return connection.execute(sql).fetchall()
        except sqlite3.OperationalError:  # schema not written yet
            return []

    def count(self, sql: str) -> int:
        rows = self.query(sql)
        return int(rows[0][0]) if rows else 0

    def assert_lexical_index_complete(self, passages: int) -> None:
        if self.engine is not None:
            assert self.count("SELECT count(*) FROM passage_lexical") == passages
            missing = "SELECT count(*) FROM passage LEFT JOIN passage_lexical ON passage_id = id"
            missing += " WHERE passage_id IS NULL"
            assert self.count(missing) == 0
            return
        assert self.count("SELECT count(*) FROM passage_fts_docsize") == passages
        with sqlite3.connect(self.db) as connection:
            connection.execute("INSERT INTO passage_fts(passage_fts) VALUES ('integrity-check')")


def _run(
    data: Path,
    inbox: Path,
    kill_when: Callable[[], bool] | None,
    url: str | None,
    timeout: float = 90,
    program: list[str] | None = None,
) -> tuple[int | None, str]:
    command = [*(program or [sys.executable, "-m", "api"]), "--data-dir", str(data), "ingest", str(inbox)]
    env = {**os.environ, "DATABASE_URL": url} if url else None
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if kill_when is not None and kill_when():
            process.kill()  # SIGKILL
            process.wait()
            return None, ""
        time.sleep(0.02)
    output = process.communicate(timeout=timeout)[0].decode()
    return process.returncode, output


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("database_url", [None], ids=["sqlite"])  # on PostgreSQL: test_job_queue.py (leases, no file)
def test_sigkill_at_several_moments_then_rerun_indexes_every_file_once(tmp_path, database_url):
    paths = _inbox(tmp_path / "inbox")
    data = tmp_path / "data"
    db = Database(data, database_url)
    documents = lambda: db.count("SELECT count(*) FROM document")  # noqa: E731
    running = lambda: db.count("SELECT count(*) FROM ingestjob WHERE state = 'running'")  # noqa: E731

    started = time.monotonic()
    kills = []
    # 1. while starting up (before or while the first jobs are written)
    t0 = time.monotonic()
    kills.append(_run(data, tmp_path / "inbox", lambda: time.monotonic() - t0 > 1.0, database_url))
    print(f"kill 1 (1 s after start): {documents()} documents")
    # 2. as soon as a job turns running (extraction / embedding of the first files)
    kills.append(_run(data, tmp_path / "inbox", lambda: running() > 0, database_url))
    print(f"kill 2 (a job running): {documents()} documents, {running()} jobs left running")
    # 3. and 4. in the middle of the batch, after a few documents of this run were committed
    for _ in range(2):
        base = documents()
        kills.append(_run(data, tmp_path / "inbox", lambda base=base: documents() >= base + 3, database_url))
        print(f"kill {len(kills)} (3 more documents): {documents()} documents, {running()} jobs left running")
    assert documents() < len(paths), "the batch finished before the kills; make it larger"
    states = db.query("SELECT state, count(*) FROM ingestjob GROUP BY state")
    print(f"after {len(kills)} kills: {documents()} of {len(paths)} documents, jobs {dict(states)}")
    code, output = _run(data, tmp_path / "inbox", None, database_url)
    assert code == 0, output
    print(f"rerun: {output.strip().splitlines()[-1]} ({time.monotonic() - started:.1f} s in all)")
    assert f"{len(paths)} files: " in output and " 0 failed" in output, output

    # every file exactly once
    shas = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in paths)
    assert sorted(row[0] for row in db.query("SELECT sha256 FROM document")) == shas
    assert db.count("SELECT count(*) FROM ingestjob WHERE state IN ('queued', 'running')") == 0
    assert db.count("SELECT count(*) FROM ingestjob WHERE state = 'failed'") == 0
    # passages == lexical rows == FAISS vectors (the file as the last run left it)
    passages = db.count("SELECT count(*) FROM passage")
    assert passages > len(paths)
    db.assert_lexical_index_complete(passages)
    index = VectorIndex.load(data / "vectors.faiss")
    passage_ids = np.array(sorted(row[0] for row in db.query("SELECT id FROM passage")), dtype=np.int64)
    assert np.array_equal(np.sort(index.ids()), passage_ids)
    if db.engine is not None:
        db.engine.dispose()


def _kill_while_embedding(data: Path, inbox: Path, db: Database, program: list[str], after_s: float = 1.5) -> None:
    """Run `archive ingest` and kill -9 it `after_s` seconds after it claimed a job (a text file is read in
    milliseconds: it is then waiting or being embedded)."""
    command = [*program, "--data-dir", str(data), "ingest", str(inbox)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    held = f"SELECT count(*) FROM ingestjob WHERE state = 'running' AND claimed_by LIKE '%:{process.pid}:%'"
    claimed: float | None = None
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if claimed is None and db.count(held):
            claimed = time.monotonic()
        if claimed is not None and time.monotonic() - claimed > after_s:
            process.kill()  # SIGKILL
            process.wait()
            return
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise AssertionError("the run ended before it was killed")


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_kills_while_files_wait_or_are_embedded_do_not_use_up_their_attempts(tmp_path):
    """Four kill -9 while files are claimed, waiting or being embedded (a kill is not the file's fault), then the same
    command again: every file is indexed, none failed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    words = (CORPUS / "002_442dd7a0fa2fa928.txt").read_text().split()
    for i in range(3):  # long enough to be embedded for seconds each (plumbing only: the fake embedder)
        (inbox / f"long{i}.txt").write_text(f"Long part {i}\n\n" + " ".join(words[i * 3000 : i * 3000 + 2500]))
    data = tmp_path / "data"
    db = Database(data, None)
    for _ in range(4):
        _kill_while_embedding(data, inbox, db, slow_cli(0.3))
    attempts = db.query("SELECT filename, attempts, state FROM ingestjob ORDER BY id")
    code, output = _run(data, inbox, None, None, timeout=600, program=slow_cli(0.01))
    assert code == 0, output
    assert "3 files: 3 indexed" in output, (output, attempts)
    assert db.count("SELECT count(*) FROM ingestjob WHERE state = 'failed'") == 0

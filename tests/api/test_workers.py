"""Several processes on one PostgreSQL database, as on several machines: each has its own data folder and shares only
the database and the file store (ARCHIVE_FILES_DIR).

Two `archive worker` processes share one batch and one is killed with SIGKILL mid-batch: every file ends exactly
once and the vectors match the passages. Two API deployments (`serve --workers 2` and a single `serve`) answer from
the same database and find a document ingested after they started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import Session, select

from api.services import Services
from archive.models import Document, IngestJob, JobState, Passage
from archive.settings import Settings
from indexing.lexical_index import indexed_passages
from indexing.pipeline import FINAL_STATES
from tests.conftest import ROOT
from tests.fakes import FakeEmbedder, slow_cli

LEASE_S = 2.0


def _environment(postgres_url: str, files: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OMP_NUM_THREADS": "1",
        "DATABASE_URL": postgres_url,
        "ARCHIVE_FILES_DIR": str(files),
        "ARCHIVE_JOB_LEASE_S": str(LEASE_S),
        **extra,
    }


def _start(command: list[str], data: Path, env: dict[str, str], *arguments: str) -> subprocess.Popen:
    """`command --data-dir DATA ARGUMENTS...`: one machine's process, with its own data folder."""
    return subprocess.Popen(
        [*command, "--data-dir", str(data), *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _submit(settings: Settings, tmp_path: Path, count: int) -> list[int]:
    """Queue `count` reports and two byte-identical copies of the first two (submitted from another folder)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    paths = []
    for n in range(count):
        sentences = [
            f"Report {n} paragraph {p}: the court in city {n} heard witness {p} about detention number "
            f"{n * 100 + p} and adjourned the hearing."
            for p in range(12)
        ]
        path = inbox / f"report_{n}.txt"
        path.write_text(f"Report {n}\n\n" + "\n\n".join(sentences) + "\n", encoding="utf-8")
        paths.append(path)
    for n in range(2):
        copy = inbox / f"copy_of_report_{n}.txt"
        copy.write_bytes(paths[n].read_bytes())
        paths.append(copy)
    services = Services.open(settings, embedder=FakeEmbedder(), check_index=False)
    try:
        return [services.ingestor.submit(path) for path in paths]
    finally:
        services.close()


def _jobs(engine) -> list[IngestJob]:
    with Session(engine) as session:
        return list(session.exec(select(IngestJob).order_by(IngestJob.id)))


def _wait_for(condition, timeout: float, what: str, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_workers_share_a_batch_and_one_killed_mid_batch_loses_no_file(postgres_url, tmp_path):
    files = tmp_path / "shared-files"
    env = _environment(postgres_url, files)
    settings = Settings(data_dir=tmp_path / "submitter", database_url=postgres_url, shared_files_dir=files)
    job_ids = _submit(settings, tmp_path, 8)
    slow = slow_cli(0.03)  # slow enough to be killed mid-batch (plumbing only: nothing here ranks anything)
    victim = _start(slow, tmp_path / "machine-a", env, "worker")
    survivor = _start(slow, tmp_path / "machine-b", env, "worker")
    services = Services.open(settings, embedder=FakeEmbedder(), check_index=False)
    engine = services.engine
    try:
        tag = f":{victim.pid}:"

        def victim_mid_batch() -> list[int]:
            jobs = _jobs(engine)
            held = [j.id for j in jobs if j.state == JobState.running and tag in (j.claimed_by or "")]
            return held if held and any(j.state in FINAL_STATES for j in jobs) else []

        held = _wait_for(victim_mid_batch, 120, "the first worker to hold a job after the batch has begun")
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)

        def all_final() -> bool:
            return all(job.state in FINAL_STATES for job in _jobs(engine))

        _wait_for(all_final, 180, "every job to end", poll=0.3)
        survivor.send_signal(signal.SIGTERM)
        output, _ = survivor.communicate(timeout=60)
        assert survivor.returncode == 0, output
        assert "Traceback" not in output

        jobs = _jobs(engine)
        states = Counter(job.state for job in jobs)
        assert [job.id for job in jobs] == job_ids
        assert states == {JobState.indexed: 8, JobState.duplicate: 2}, [(j.filename, j.state, j.reason) for j in jobs]
        taken_over = [job for job in jobs if job.id in held]
        # a second attempt counts only if the kill came while the file itself was being read (indexing.job_states)
        assert all(job.attempts in (1, 2) and tag not in (job.claimed_by or "") for job in taken_over)
        with Session(engine) as session:
            documents = session.exec(select(Document.sha256)).all()
            passages = session.exec(select(func.count()).select_from(Passage)).one()
            per_document = session.exec(
                select(Passage.document_id, func.count(), func.count(func.distinct(Passage.ordinal))).group_by(
                    Passage.document_id
                )
            ).all()
            lexical_rows = indexed_passages(session)
        assert len(documents) == len(set(documents)) == 8  # each content indexed once
        assert all(total == distinct for _, total, distinct in per_document)  # no passage written twice
        assert lexical_rows == passages  # the PostgreSQL lexical index holds one row per passage
        reader = Services.open(
            Settings(data_dir=tmp_path / "reader", database_url=postgres_url), embedder=FakeEmbedder()
        )
        try:
            assert len(reader.index) == passages > 0  # vectors == passages, read from the database
        finally:
            reader.close()
    finally:
        for process in (victim, survivor):
            if process.poll() is None:
                process.kill()
                process.wait(30)
        services.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _titles(port: int, query: str) -> set[str]:
    response = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": query, "k": 5}, timeout=30)
    response.raise_for_status()
    return {result["document"]["title"] for result in response.json()["results"]}


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_api_replicas_answer_from_one_database_and_see_new_documents(postgres_url, tmp_path):
    files = tmp_path / "shared-files"
    settings = Settings(data_dir=tmp_path / "ingester", database_url=postgres_url, shared_files_dir=files)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = inbox / "hearing.txt"
    first.write_text("Hearing in Almaty\n\nThe court in Almaty postponed the hearing of the journalist.\n")
    later = inbox / "glacier.txt"
    later.write_text("Glacier survey\n\nScientists measured the retreat of the Tuyuksu glacier above Almaty.\n")
    services = Services.open(settings)  # the real bundled model, as the servers use
    try:
        assert services.ingestor.ingest([first])[0].state == JobState.indexed
        cli, ports = [sys.executable, "-m", "api"], [_free_port(), _free_port()]
        env = _environment(postgres_url, files, ARCHIVE_SERVE_INGEST="false")
        servers = [
            _start(cli, tmp_path / "api-a", env, "serve", "--port", str(ports[0]), "--workers", "2"),
            _start(cli, tmp_path / "api-b", env, "serve", "--port", str(ports[1])),
        ]
        try:
            for port in ports:
                _wait_for(lambda port=port: _healthy(port), 120, f"the API on port {port}", poll=0.5)
            for port in ports:
                assert "Hearing in Almaty" in _titles(port, "court hearing postponed")
            assert services.ingestor.ingest([later])[0].state == JobState.indexed
            for port in ports:  # several answers from the two-process deployment: each process syncs
                for _ in range(6):
                    _wait_for(
                        lambda port=port: "Glacier survey" in _titles(port, "glacier retreat"),
                        30,
                        f"the API on port {port} to see the new document",
                    )
            health = httpx.get(f"http://127.0.0.1:{ports[0]}/health", timeout=30).json()
            assert health["passages"] == health["index_vectors"] and health["documents"] == 2
        finally:
            for server in servers:
                server.send_signal(signal.SIGTERM)
            for server in servers:
                try:
                    server.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.communicate(timeout=30)
    finally:
        services.close()

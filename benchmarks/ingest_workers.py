"""Ingest throughput on PostgreSQL with N `archive worker` processes, against the bare embedder on the same texts.

    python -m benchmarks.ingest --workers 1,2 [--threads T] [--database-url URL] [--documents 16] [--json]

For each worker count: a fresh database (on the server at --database-url, or on a throwaway PostgreSQL server
started as the tests start one), N real `archive worker` processes (the bundled model, each with its own data
folder, sharing the database and ARCHIVE_FILES_DIR as on separate machines) started and warmed up first; then the
documents are submitted and the clock runs until every job has ended. The documents are synthetic: paragraphs of
seed-corpus sentences drawn at random, so that no passage repeats (the pipeline never embeds a text twice). The
bare embedder then embeds the passages' text once (title and passage, as `benchmarks.ingest` does), in this
process, with all the cores. Each worker divides the cores among the workers of the machine by itself
(indexing.threads); --threads T fixes its threads instead. The load average is reported with each run: the machine
may be shared.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.services import Services
from archive.models import Document, IngestJob, JobState, Passage
from archive.settings import Settings
from benchmarks.synthetic import seed_sentences
from indexing.chunk import embedding_text
from indexing.jobs import FINAL_STATES
from indexing.reembed import passage_content

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPHS, SENTENCES = 6, 3  # per synthetic document, per paragraph


def write_documents(folder: Path, count: int, seed: int = 0, name: str = "synthetic") -> list[Path]:
    """`count` text files of random seed-corpus sentences (each passage is new to the embedder)."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        paragraphs = [" ".join(rng.sample(sentences, SENTENCES)) for _ in range(PARAGRAPHS)]
        path = folder / f"{name}_{n:03d}.txt"
        path.write_text(f"Synthetic report {n}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _fresh_database(server, database_url: str | None, label: str) -> str:
    if server is not None:
        return server.new_database()
    assert database_url is not None
    import psycopg

    base, _, _ = database_url.rpartition("/")
    name = f"archive_bench_{label}"
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _start_workers(count: int, threads: int | None, url: str, files: Path, work: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "ARCHIVE_FILES_DIR": str(files),
        "TOKENIZERS_PARALLELISM": "false",
    }
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    return [
        subprocess.Popen(
            [sys.executable, "-m", "api", "--data-dir", str(work / f"worker-{n}"), "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]


def _wait_ready(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        assert process.stderr is not None
        line = process.stderr.readline()
        if "processing the jobs" not in line:
            raise SystemExit(f"a worker did not start: {line}{process.stderr.read()}")


def run_workers(count: int, threads: int | None, url: str, files: list[Path], work: Path) -> dict:
    """Ingest `files` with `count` workers into the database at `url`; the timings and what was embedded."""
    shared = work / "files"
    settings = Settings(data_dir=work / "submitter", database_url=url, shared_files_dir=shared)
    services = Services.open(settings, check_index=False)
    workers = _start_workers(count, threads, url, shared, work)
    try:
        _wait_ready(workers)
        warm = write_documents(work / "warm-up", count, seed=10_000, name="warm_up")  # each worker loads its models
        for path in warm:
            services.ingestor.submit(path)
        _wait_all_final(services)
        t0 = time.perf_counter()
        for path in files:
            services.ingestor.submit(path)
        _wait_all_final(services)
        seconds = time.perf_counter() - t0
        load = [round(x, 2) for x in os.getloadavg()]
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(120)
    with Session(services.engine) as session:
        states = session.exec(select(IngestJob.state, func.count()).group_by(IngestJob.state)).all()
        rows = session.exec(
            select(Document.title, Passage).join(Document).where(col(Document.source).in_([p.name for p in files]))
        ).all()
    services.close()
    if dict(states).get(JobState.failed):
        raise SystemExit(f"some files failed: {states}")
    texts = [embedding_text(title, passage_content(passage)) for title, passage in rows]
    return {
        "workers": count,
        "threads_per_worker": threads or "shared",
        "load_average_at_end": load,
        "seconds": round(seconds, 2),
        "files_per_s": round(len(files) / seconds, 3),
        "passages": len(rows),
        "passages_per_s": round(len(rows) / seconds, 2),
        "texts": texts,
    }


def _wait_all_final(services: Services, timeout: float = 3600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(services.engine) as session:
            states = set(session.exec(select(IngestJob.state).distinct()).all())
        if states <= set(FINAL_STATES):
            return
        time.sleep(0.2)
    raise SystemExit("the workers did not finish in time")


def bare_seconds(texts: list[str]) -> float:
    """The bare embedder's time for the texts (after a warm-up)."""
    from indexing.embed import create_embedder

    embedder = create_embedder(Settings())
    embedder.embed_passages(["warm-up: the model is loaded and its caches are hot"] * 4)
    t0 = time.perf_counter()
    embedder.embed_passages(texts)
    return time.perf_counter() - t0


def benchmark(
    worker_counts: list[int], documents: int, database_url: str | None, say, threads: int | None = None
) -> dict:
    """Throughput with each worker count, and the bare embedder's on the texts of the last run."""
    server = None
    if database_url is None:
        from tests.postgres_server import PostgresServer, find_binaries

        binaries = find_binaries()
        if binaries is None:
            raise SystemExit("PostgreSQL's binaries (initdb, pg_ctl) are not installed; pass --database-url")
        server = PostgresServer.start(binaries)
    work = Path(tempfile.mkdtemp(prefix="archive-workers-bench-"))
    try:
        files = write_documents(work / "documents", documents)
        runs = []
        for count in worker_counts:
            url = _fresh_database(server, database_url, f"{count}_workers")
            run = run_workers(count, threads, url, files, work / f"run-{count}")
            say(
                f"{count} worker(s): {run['seconds']:.1f}s, {run['files_per_s']:.2f} files/s, "
                f"{run['passages_per_s']:.1f} passages/s (load average {run['load_average_at_end']})"
            )
            runs.append(run)
        texts = runs[-1]["texts"]
        bare = bare_seconds(texts)
        say(f"bare embedder on the same {len(texts)} texts: {bare:.1f}s (load average {os.getloadavg()[0]:.2f})")
        for run in runs:
            del run["texts"]
            run["ratio_to_bare"] = round(run["seconds"] / bare, 3)
        return {
            "documents": documents,
            "passages": runs[-1]["passages"],
            "embedded_texts": len(texts),
            "bare_embed_s": round(bare, 2),
            "bare_passages_per_s": round(runs[-1]["passages"] / bare, 2),
            "runs": runs,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

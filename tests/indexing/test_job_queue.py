"""The shared job queue on a real PostgreSQL server: concurrent claims get different jobs, a dead worker's job is
claimed again once its lease expires, and a worker that lost its lease cannot finish the job."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from api.cli import cli
from api.services import Services
from archive.models import IngestJob, JobState, Passage
from archive.settings import Settings
from indexing import job_states
from indexing import jobs as job_store
from indexing.vector_index import VectorIndex
from tests.fakes import FakeEmbedder


@pytest.fixture
def pg_services(postgres_url: str, tmp_path: Path) -> Iterator[Services]:
    """An empty archive on PostgreSQL with the fake embedder (plumbing only)."""
    settings = Settings(data_dir=tmp_path / "archive", database_url=postgres_url)
    services = Services.open(settings, embedder=FakeEmbedder())
    yield services
    services.close()


def _queue(services: Services, tmp_path: Path, count: int) -> list[int]:
    ids = []
    for n in range(count):
        source = tmp_path / f"note_{n}.txt"
        source.write_text(f"Note {n}\n\nThe hearing number {n} was postponed until May.\n")
        ids.append(services.ingestor.submit(source))
    return ids


def _job(services: Services, job_id: int) -> IngestJob:
    with Session(services.engine) as session:
        return session.get_one(IngestJob, job_id)


def test_two_open_transactions_claim_different_jobs_with_skip_locked(pg_services, tmp_path):
    first_id, second_id = _queue(pg_services, tmp_path, 2)
    with Session(pg_services.engine) as one, Session(pg_services.engine) as two:
        one.connection().exec_driver_sql("SET lock_timeout = '2s'")  # blocking instead of skipping would fail here
        two.connection().exec_driver_sql("SET lock_timeout = '2s'")
        claimed_one = job_states.claim_in(one, "worker-one", 60)  # not committed: its row stays locked
        claimed_two = job_states.claim_in(two, "worker-two", 60)
        assert claimed_one is not None and claimed_two is not None
        assert (claimed_one.id, claimed_two.id) == (first_id, second_id)
        assert job_states.claim_in(two, "worker-two", 60) is None  # the only other queued job is locked by `one`
        one.commit()
        two.commit()
    for job_id, worker in ((first_id, "worker-one"), (second_id, "worker-two")):
        job = _job(pg_services, job_id)
        assert (job.state, job.claimed_by, job.attempts) == (JobState.running, worker, 1)


def test_an_expired_lease_is_claimed_again_and_the_dead_worker_cannot_finish(pg_services, tmp_path):
    [job_id] = _queue(pg_services, tmp_path, 1)
    dead = job_states.claim_next(pg_services.engine, "dead-worker", lease_s=0.3)
    assert dead is not None and dead.id == job_id
    assert job_states.requeue_abandoned(pg_services.engine) == 0  # its lease still runs
    assert job_states.claim_next(pg_services.engine, "live-worker", lease_s=60) is None
    time.sleep(0.5)
    assert job_states.requeue_abandoned(pg_services.engine) == 1
    live = job_states.claim_next(pg_services.engine, "live-worker", lease_s=60)
    # abandoned before its file was read: a kill that is not the file's fault does not use up an attempt
    assert live is not None and (live.id, live.attempts) == (job_id, 1)
    with pytest.raises(job_states.LeaseLost), Session(pg_services.engine) as session:
        job_states.finish(session, dead, JobState.indexed)
    with Session(pg_services.engine) as session:
        job_states.finish(session, live, JobState.failed, reason="test")
        session.commit()
    job = _job(pg_services, job_id)
    assert (job.state, job.claimed_by, job.lease_expires_at) == (JobState.failed, None, None)


def test_a_renewed_lease_is_not_taken_over(pg_services, tmp_path):
    [job_id] = _queue(pg_services, tmp_path, 1)
    claimed = job_states.claim_next(pg_services.engine, "slow-worker", lease_s=0.6)
    assert claimed is not None
    with job_states.LeaseKeeper(pg_services.engine, "slow-worker", 0.6) as keeper:
        keeper.hold(job_id)
        time.sleep(1.2)  # twice the lease: only the renewals keep it
        assert job_states.requeue_abandoned(pg_services.engine) == 0
    assert _job(pg_services, job_id).claimed_by == "slow-worker"


def test_ingest_on_postgres_indexes_each_file_once_and_the_index_follows_the_database(pg_services, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for n in range(3):
        (folder / f"report_{n}.txt").write_text(f"Report {n}\n\nWitness {n} described the detention in detail.\n")
    (folder / "copy.txt").write_text((folder / "report_0.txt").read_text())
    outcomes = pg_services.ingestor.ingest(sorted(folder.iterdir()))
    assert sorted(o.state.value for o in outcomes) == ["duplicate", "indexed", "indexed", "indexed"]
    with Session(pg_services.engine) as session:
        jobs = session.exec(select(IngestJob)).all()
    assert {job.claimed_by for job in jobs} == {None} and {job.lease_expires_at for job in jobs} == {None}
    pg_services.index.refresh()
    assert len(pg_services.index) == sum(o.passages for o in outcomes) > 0
    assert not pg_services.settings.index_path.exists()  # no index file on a database server


def test_a_stored_file_is_found_in_a_file_store_mounted_elsewhere(tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("A hearing\n\nThe hearing was postponed until May.\n")
    here = Settings(data_dir=tmp_path / "a", shared_files_dir=tmp_path / "mount-a")
    stored = job_store.store_file(here, source)
    (tmp_path / "mount-a").rename(tmp_path / "mount-b")  # the same share, as another machine mounts it
    there = Settings(data_dir=tmp_path / "b", shared_files_dir=tmp_path / "mount-b")
    assert job_store.stored_copy(there, str(stored.path)) == tmp_path / "mount-b" / stored.path.relative_to(
        tmp_path / "mount-a"
    )
    assert job_store.stored_copy(Settings(data_dir=tmp_path / "c"), str(stored.path)) is None


def test_archive_worker_once_processes_the_queue_on_sqlite_and_saves_the_index(tmp_path):
    settings = Settings(data_dir=tmp_path / "archive")
    submitter = Services.open(settings, check_index=False)  # the real bundled model, as the worker uses
    try:
        source = tmp_path / "ruling.txt"
        source.write_text("Court ruling\n\nThe court in Almaty upheld the sentence of the activist.\n")
        job_id = submitter.ingestor.submit(source)
    finally:
        submitter.close()
    result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "worker", "--once"])
    assert result.exit_code == 0, result.output
    saved = VectorIndex.load(settings.index_path).ids().tolist()  # the file as the worker left it
    reader = Services.open(settings, check_index=False)
    try:
        job = _job(reader, job_id)
        assert (job.state, job.claimed_by) == (JobState.indexed, None)
        with Session(reader.engine) as session:
            passage_ids = session.exec(select(Passage.id).order_by(Passage.id)).all()
        assert saved == passage_ids and saved
    finally:
        reader.close()

"""Every change of an ingest job's state, in one module: claim, renew, unclaim, requeue, finish.

A worker claims the oldest queued job and holds it under a lease (`claimed_by`, `lease_expires_at`) that a
`LeaseKeeper` renews while the file is processed. On PostgreSQL any number of workers claim at once:
`SELECT … FOR UPDATE SKIP LOCKED` hands each a different job, and a job whose worker died is queued again once its
lease has expired. On SQLite one process holds the writer lock (archive.lock), so every job left running belongs to
a dead writer and is queued again when the next one starts.

Documents are committed one at a time (`serialize_commits`, a transaction-scoped advisory lock on PostgreSQL): two
workers never index the same content twice, person records are never created twice for one name, and passage ids
become visible in increasing order, so that a replica that has read up to id N has missed nothing below it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from archive.access import LOCAL, Submission, clean_groups, parse_visibility
from archive.db import is_sqlite, session_scope
from archive.models import IngestJob, JobState, row_id, utcnow
from indexing.jobs import INTERRUPTED, MAX_ATTEMPTS

log = logging.getLogger(__name__)

COMMIT_LOCK_KEY = 0x61726368  # the advisory lock that serialises document commits ("arch")
READING = "reading"  # the stage in which the file's own content is processed (parsed, split, searched for names)


class LeaseLost(Exception):
    """The job was claimed again by another worker after this one's lease expired: its result is dropped."""


@dataclass(frozen=True)
class ClaimedJob:
    """The fields of a claimed job that processing needs (a plain snapshot, safe to share with threads)."""

    id: int
    sha256: str
    filename: str
    stored_path: str | None
    source_path: str | None
    attempts: int
    worker: str
    submission: Submission = field(default_factory=Submission)  # by whom, and who may read the document


def worker_name() -> str:
    """A name that tells this process's claims from every other's: host, process id and a random nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def claim_in(session: Session, worker: str, lease_s: float, among: Sequence[int] | None = None) -> ClaimedJob | None:
    """Mark the oldest queued job (of `among`, if given) running for `worker`, in the caller's transaction.

    Rows another transaction has locked are skipped, so concurrent workers never claim the same job."""
    query = select(IngestJob).where(IngestJob.state == JobState.queued)
    if among is not None:
        query = query.where(col(IngestJob.id).in_(list(among)))
    job = session.exec(query.order_by(col(IngestJob.id)).limit(1).with_for_update(skip_locked=True)).first()
    if job is None:
        return None
    now = utcnow()
    job.state, job.attempts, job.updated_at, job.stage = JobState.running, job.attempts + 1, now, None
    job.claimed_by, job.lease_expires_at = worker, now + timedelta(seconds=lease_s)
    session.add(job)
    submission = Submission(
        by=job.submitted_by or LOCAL.actor,
        visibility=parse_visibility(job.visibility) if job.visibility else None,
        groups=tuple(clean_groups(job.groups or "")),
        metadata=job.stated_metadata,
    )
    return ClaimedJob(
        row_id(job), job.sha256, job.filename, job.stored_path, job.source_path, job.attempts, worker, submission
    )


def claim_next(engine: Engine, worker: str, lease_s: float, among: Sequence[int] | None = None) -> ClaimedJob | None:
    """Claim the oldest queued job (see `claim_in`); None when there is none."""
    with session_scope(engine) as session:
        return claim_in(session, worker, lease_s, among)


def _held(session: Session, job: ClaimedJob) -> IngestJob | None:
    """The job's row, locked, if it is still running under this worker's claim."""
    row = session.exec(select(IngestJob).where(IngestJob.id == job.id).with_for_update()).first()
    if row is None or row.state != JobState.running or row.claimed_by != job.worker:
        return None
    return row


def set_stage(engine: Engine, job: ClaimedJob, stage: str | None) -> None:
    """Record the stage of a job this worker holds: READING while the file's content is processed, else None."""
    with session_scope(engine) as session:
        row = _held(session, job)
        if row is not None:
            row.stage = stage
            session.add(row)


def unclaim(engine: Engine, job: ClaimedJob) -> None:
    """Put a claimed, unfinished job back in the queue (stopping); the attempt does not count."""
    with session_scope(engine) as session:
        row = _held(session, job)
        if row is not None:
            row.state, row.attempts, row.updated_at = JobState.queued, max(row.attempts - 1, 0), utcnow()
            row.claimed_by = row.lease_expires_at = row.stage = None
            session.add(row)


def retry_later(engine: Engine, job: ClaimedJob, reason: str) -> None:
    """Queue a job again after a transient failure (the parser process crashed or timed out)."""
    with session_scope(engine) as session:
        row = _held(session, job)
        if row is not None:
            row.state, row.reason, row.updated_at = JobState.queued, f"attempt {job.attempts}: {reason}", utcnow()
            row.claimed_by = row.lease_expires_at = row.stage = None
            session.add(row)


def finish(
    session: Session,
    job: ClaimedJob,
    state: JobState,
    *,
    reason: str | None = None,
    document_id: int | None = None,
    warnings: Sequence[str] = (),
) -> None:
    """End a job in `state`, in the caller's transaction; raises `LeaseLost` if another worker has taken it over.

    `warnings` name what of the file could not be read (an attachment, a message of a mailbox)."""
    row = _held(session, job)
    if row is None:
        raise LeaseLost(f"job {job.id} ({job.filename}) was claimed again by another worker")
    row.state, row.reason, row.document_id, row.updated_at = state, reason, document_id, utcnow()
    row.warnings = json.dumps(list(warnings), ensure_ascii=False) if warnings else None
    row.claimed_by = row.lease_expires_at = row.stage = None
    session.add(row)


def renew(engine: Engine, worker: str, job_ids: Sequence[int], lease_s: float) -> int:
    """Extend the leases of the worker's running jobs; returns how many it still holds."""
    if not job_ids:
        return 0
    with session_scope(engine) as session:
        result = session.connection().execute(
            update(IngestJob)
            .where(
                col(IngestJob.id).in_(list(job_ids)),
                col(IngestJob.claimed_by) == worker,
                col(IngestJob.state) == JobState.running,
            )
            .values(lease_expires_at=utcnow() + timedelta(seconds=lease_s))
        )
        return int(result.rowcount)


def requeue_abandoned(engine: Engine) -> int:
    """Queue again the jobs whose worker died; returns how many.

    A kill, a reboot or an out-of-memory kill is not the file's fault: the attempt counts only when the worker died
    while reading the file's content (which a file can cause), and such a job fails after MAX_ATTEMPTS; a job that
    was waiting, being embedded or committed gets its attempt back. On SQLite the caller holds the writer lock, so
    every running job is abandoned; on a shared database only those whose lease has expired."""
    with session_scope(engine) as session:
        query = select(IngestJob).where(IngestJob.state == JobState.running)
        if not is_sqlite(engine):
            query = query.where(
                col(IngestJob.lease_expires_at).is_(None) | (col(IngestJob.lease_expires_at) < utcnow())
            )
        jobs = session.exec(query.with_for_update(skip_locked=True)).all()
        for job in jobs:
            if job.stage != READING:
                job.attempts = max(job.attempts - 1, 0)
            if job.attempts >= MAX_ATTEMPTS:
                job.state = JobState.failed
                job.reason = (
                    f"{INTERRUPTED} {job.attempts} times while the file was read (the process crashed or was killed)"
                )
            else:
                job.state = JobState.queued
                log.warning("job %s (%s) was abandoned by %s: queued again", job.id, job.filename, job.claimed_by)
            job.claimed_by = job.lease_expires_at = job.stage = None
            job.updated_at = utcnow()
            session.add(job)
        return len(jobs)


def serialize_commits(session: Session) -> None:
    """Make the caller's transaction the only one committing a document until it ends (no-op on SQLite, whose
    writer lock already admits one writer)."""
    if session.get_bind().dialect.name != "sqlite":
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": COMMIT_LOCK_KEY})


class LeaseKeeper:
    """Renews the leases of the jobs a worker holds, every third of the lease, while it works on them."""

    def __init__(self, engine: Engine, worker: str, lease_s: float) -> None:
        self._engine, self._worker, self._lease_s = engine, worker, lease_s
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, job_id: int) -> None:
        with self._lock:
            self._held.add(job_id)

    def release(self, job_id: int) -> None:
        with self._lock:
            self._held.discard(job_id)

    def __enter__(self) -> LeaseKeeper:
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._lease_s / 3):
            with self._lock:
                held = sorted(self._held)
            try:
                renew(self._engine, self._worker, held, self._lease_s)
            except Exception:  # a database hiccup: the next round tries again before the lease runs out
                log.exception("renewing the leases of jobs %s failed", held)

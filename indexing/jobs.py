"""Ingest jobs: submitted files stored content-addressed, one `IngestJob` row each, and batch progress.

A file is copied to `files/ab/abcdef….ext` (written to a temp file, then renamed) and its job row written as
`queued` before anything parses it, so an accepted file survives any crash. Workers move jobs through running →
indexed | duplicate | failed; every such change of state is in indexing.job_states.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from sqlalchemy import ColumnElement, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from archive.access import Submission
from archive.db import session_scope
from archive.errors import ArchiveError, NotFoundError
from archive.models import Document, IngestJob, JobState, id_column, row_id, utcnow
from archive.settings import Settings

MAX_ATTEMPTS = 3  # a file that crashes or times out the parser this many times ends failed
INTERRUPTED = "processing was interrupted"  # how the reason of a job failed by interruptions begins
FINAL_STATES = (JobState.indexed, JobState.duplicate, JobState.failed)
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


class UploadTooLarge(ArchiveError):
    """An uploaded file is larger than the configured limit."""

    status = 413


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    path: Path
    size: int


MAX_FILENAME_CHARS = 255


def safe_filename(name: str | None) -> str:
    """The last component of a client-supplied file name, without control characters, at most 255 characters: a
    longer name is shortened before its extension, which says what kind of file it is."""
    cleaned = PurePath((name or "").replace("\\", "/")).name
    cleaned = "".join(c for c in cleaned if c.isprintable()).strip()
    if len(cleaned) > MAX_FILENAME_CHARS:
        suffix = _suffix(cleaned)
        cleaned = cleaned[: MAX_FILENAME_CHARS - len(suffix)].rstrip() + suffix
    return cleaned or "upload"


def _suffix(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


def store_stream(settings: Settings, stream: BinaryIO, filename: str, max_bytes: int | None = None) -> StoredFile:
    """Copy a stream into the content-addressed store (hashing as it goes); raises `UploadTooLarge` past max_bytes."""
    files_dir = settings.files_dir
    files_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    # closed by `with handle` below; its name outlives it for the clean-up in `finally`
    handle = tempfile.NamedTemporaryFile(dir=files_dir, prefix=".incoming-", delete=False)  # noqa: SIM115
    try:
        with handle:
            for block in iter(lambda: stream.read(1 << 20), b""):
                size += len(block)
                if max_bytes is not None and size > max_bytes:
                    raise UploadTooLarge(f"the file is larger than the limit of {max_bytes // (1024 * 1024)} MB")
                digest.update(block)
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
        sha256 = digest.hexdigest()
        target = files_dir / sha256[:2] / f"{sha256}{_suffix(filename)}"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(handle.name, target)  # atomic; an identical file may already be there
        return StoredFile(sha256, target, size)
    finally:
        if os.path.exists(handle.name):
            os.unlink(handle.name)


def stored_copy(settings: Settings, stored_path: str | None) -> Path | None:
    """A job's stored file: where it was stored, or under the same name in this process's file store (a shared
    folder that another machine mounts elsewhere); None if it is in neither."""
    if not stored_path:
        return None
    for candidate in (Path(stored_path), settings.files_dir / Path(stored_path).parent.name / Path(stored_path).name):
        if candidate.is_file():
            return candidate
    return None


def store_bytes(settings: Settings, data: bytes, filename: str) -> StoredFile:
    """Put a file found inside another (an attachment) into the content-addressed store."""
    return store_stream(settings, io.BytesIO(data), filename)


def store_file(settings: Settings, path: Path) -> StoredFile:
    """Copy a file into the content-addressed store (OSError if it cannot be read)."""
    with Path(path).open("rb") as stream:
        return store_stream(settings, stream, Path(path).name)


# ---------------------------------------------------------------------------------------------------- job rows
def enqueue(
    engine: Engine,
    stored: StoredFile,
    filename: str,
    source_path: Path | None = None,
    reuse_unfinished: bool = False,
    submission: Submission | None = None,
) -> int:
    """Write a queued job for a stored file; with `reuse_unfinished`, an unfinished job for the same file is reused
    (so that running `archive ingest` again after a crash resumes instead of submitting twice)."""
    with session_scope(engine) as session:
        if reuse_unfinished:
            existing = session.exec(
                select(IngestJob)
                .where(
                    IngestJob.sha256 == stored.sha256,
                    IngestJob.filename == filename,
                    col(IngestJob.state).in_([JobState.queued, JobState.running]),
                )
                .order_by(col(IngestJob.id))
            ).first()
            if existing is not None:
                return row_id(existing)
        return add_job(session, stored, filename, source_path, submission)


def add_job(
    session: Session,
    stored: StoredFile,
    filename: str,
    source_path: Path | None = None,
    submission: Submission | None = None,
    parent_job_id: int | None = None,
) -> int:
    """Write a queued job for a stored file in the caller's transaction; returns its id."""
    job = IngestJob(
        sha256=stored.sha256,
        filename=filename,
        stored_path=str(stored.path),
        source_path=str(source_path) if source_path else None,
        parent_job_id=parent_job_id,
    )
    if submission is not None:
        job.submitted_by = submission.by
        job.visibility = submission.visibility.value if submission.visibility else None
        job.groups = ",".join(submission.groups) or None
        job.stated_metadata = submission.metadata
    session.add(job)
    session.flush()
    return row_id(job)


def child_jobs(engine: Engine, parent_ids: Iterable[int]) -> list[IngestJob]:
    """The jobs made for the files found inside the given jobs' files (attachments, a mailbox's messages), by id."""
    ids = list(parent_ids)
    if not ids:
        return []
    with Session(engine) as session:
        query = select(IngestJob).where(col(IngestJob.parent_job_id).in_(ids)).order_by(col(IngestJob.id))
        return list(session.exec(query).all())


def makers_of_duplicates(engine: Engine, job_ids: Iterable[int]) -> dict[int, int]:
    """For the given jobs that ended duplicate: the job that made their document, mapped to the given job (so that
    a file submitted again finds the attachments its first submission queued)."""
    ids = list(job_ids)
    if not ids:
        return {}
    with Session(engine) as session:
        duplicates = session.exec(
            select(id_column(IngestJob), IngestJob.document_id).where(
                col(IngestJob.id).in_(ids), IngestJob.state == JobState.duplicate
            )
        ).all()
        by_document = {document_id: job_id for job_id, document_id in duplicates if document_id is not None}
        if not by_document:
            return {}
        makers = session.exec(
            select(id_column(IngestJob), IngestJob.document_id).where(
                col(IngestJob.document_id).in_(list(by_document)), IngestJob.state == JobState.indexed
            )
        ).all()
        return {maker: by_document[document_id] for maker, document_id in makers if document_id is not None}


def job_warnings(job: IngestJob) -> list[str]:
    """A job's warnings (what of its file could not be read), oldest first."""
    try:
        found = json.loads(job.warnings) if job.warnings else []
    except ValueError:
        return [job.warnings or ""]
    return [str(item) for item in found] if isinstance(found, list) else []


def earlier_failure(engine: Engine, sha256: str) -> int | None:
    """The latest failed job for the same file content, if any (its failure would repeat: `retry` tries again)."""
    with Session(engine) as session:
        return session.exec(
            select(IngestJob.id)
            .where(
                IngestJob.sha256 == sha256, IngestJob.state == JobState.failed, col(IngestJob.stored_path).is_not(None)
            )
            .order_by(col(IngestJob.id).desc())
        ).first()


def was_interrupted(engine: Engine, job_id: int) -> bool:
    """Whether a failed job failed only because processing was interrupted (not the file's fault: worth a retry)."""
    with Session(engine) as session:
        job = session.get(IngestJob, job_id)
        return job is not None and (job.reason or "").startswith(INTERRUPTED)


def record_unreadable(engine: Engine, path: Path, reason: str) -> int:
    """A job for a file that could not even be read: failed at once, so that it is not lost silently."""
    with session_scope(engine) as session:
        job = IngestJob(sha256="", filename=path.name, source_path=str(path), state=JobState.failed, reason=reason)
        session.add(job)
        session.flush()
        return row_id(job)


def retry_failed(engine: Engine, job_ids: Iterable[int] | None = None) -> list[int]:
    """Queue failed jobs again (all, or the given ones) with a fresh attempt count; returns their ids."""
    with session_scope(engine) as session:
        query = select(IngestJob).where(IngestJob.state == JobState.failed, col(IngestJob.stored_path).is_not(None))
        if job_ids is not None:
            query = query.where(col(IngestJob.id).in_(list(job_ids)))
        jobs = session.exec(query.order_by(col(IngestJob.id))).all()
        for job in jobs:
            job.state, job.reason, job.attempts, job.updated_at = JobState.queued, None, 0, utcnow()
            session.add(job)
        return [row_id(job) for job in jobs]


def queued_job_ids(engine: Engine, among: Iterable[int] | None = None) -> list[int]:
    with Session(engine) as session:
        query = select(id_column(IngestJob)).where(IngestJob.state == JobState.queued)
        if among is not None:
            query = query.where(col(IngestJob.id).in_(list(among)))
        return list(session.exec(query.order_by(col(IngestJob.id))).all())


def get_jobs(engine: Engine, job_ids: Iterable[int]) -> dict[int, IngestJob]:
    with Session(engine) as session:
        ids = list(job_ids)
        rows = session.exec(select(IngestJob).where(col(IngestJob.id).in_(ids))).all() if ids else []
        return {row_id(job): job for job in rows}


def duplicate_reason(document: Document | None) -> str:
    """Why a job ended `duplicate`: the document it repeats, named only to those who may read it (None)."""
    if document is None:
        return "same file as a document already in the archive"
    return f"same file as document {document.id} ({document.source})"


def list_jobs(
    session: Session,
    state: JobState | None = None,
    offset: int = 0,
    limit: int = 100,
    visible: ColumnElement[bool] | None = None,
) -> list[IngestJob]:
    """Jobs oldest first; `visible` narrows them to those a caller may see (see `archive.access`)."""
    query = select(IngestJob)
    if state is not None:
        query = query.where(IngestJob.state == state)
    if visible is not None:
        query = query.where(visible)
    return list(session.exec(query.order_by(col(IngestJob.id)).offset(offset).limit(limit)))


def get_job(session: Session, job_id: int, visible: ColumnElement[bool] | None = None) -> IngestJob:
    """The job if it exists and is visible, else NotFoundError (a hidden job answers like a missing one)."""
    query = select(IngestJob).where(IngestJob.id == job_id)
    job = session.exec(query.where(visible) if visible is not None else query).first()
    if job is None:
        raise NotFoundError(f"job {job_id} does not exist")
    return job


def visible_job_ids(session: Session, job_ids: Iterable[int], visible: ColumnElement[bool] | None) -> set[int]:
    """Those of the given jobs that a caller may see (`visible`: see `archive.access`; None: every job)."""
    ids = list(job_ids)
    if not ids or visible is None:
        return set(ids)
    return set(session.exec(select(id_column(IngestJob)).where(col(IngestJob.id).in_(ids), visible)).all())


def count_by_state(session: Session, visible: ColumnElement[bool] | None = None) -> dict[str, int]:
    query = select(IngestJob.state, func.count(col(IngestJob.id)))
    if visible is not None:
        query = query.where(visible)
    rows = session.exec(query.group_by(IngestJob.state)).all()
    counts = {state.value: 0 for state in JobState}
    counts.update({JobState(state).value: int(n) for state, n in rows})
    return counts


# ---------------------------------------------------------------------------------------------------- progress
class BatchProgress:
    """Where the batch being processed is (thread-safe): files done / total, pages parsed, passages embedded, the
    file being worked on, the rate and an ETA, for the batch and for each of its unfinished jobs.

    The ETA counts characters still to embed (embedding is the slow stage, and its cost follows the text's length)
    at the rate measured since the batch began (characters embedded per second of the batch, every stage
    included). A file's characters are known once it is read; before that they are estimated from its size in
    bytes, at the characters-per-byte of the files read so far (1 until then)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset({})

    def reset(self, sizes: Mapping[int, int]) -> None:
        """A new batch of jobs (job id → file size in bytes)."""
        with self._lock:
            self._sizes: dict[int, int] = {job: max(size, 1) for job, size in sizes.items()}
            self._finished: set[int] = set()
            self._pages: dict[int, int] = {}  # pages parsed, per job
            self._chars: dict[int, tuple[int, int]] = {}  # per job read: (characters embedded, characters to embed)
            self._passages: dict[int, int] = {}  # unfinished jobs: passages embedded so far
            self.passages: int = 0
            self.current: str | None = None
            self.current_job: int | None = None  # the job `current` is about
            self.started = time.monotonic()

    def add(self, sizes: Mapping[int, int]) -> None:
        """Jobs that joined the batch (queued again, or queued meanwhile)."""
        with self._lock:
            for job, size in sizes.items():
                self._sizes.setdefault(job, max(size, 1))

    def parsing(self, job_id: int, filename: str, pages: int) -> None:
        with self._lock:
            self._pages[job_id] = pages
            self.current, self.current_job = f"reading {filename}: page {pages}", job_id

    def embedding(self, job_id: int, filename: str, done: int, total: int, passages: int) -> None:
        """`done` of the file's `total` characters to embed are embedded; `passages` of its passages with them."""
        with self._lock:
            self._chars[job_id] = (done, total)
            self._passages[job_id] = passages
            self.current = f"embedding {filename}: {_thousands(done)}/{_thousands(total)} characters"
            self.current_job = job_id

    def finished(self, job_id: int, passages: int) -> None:
        with self._lock:
            self._finished.add(job_id)
            if job_id in self._chars:  # whatever was left is not embedded (a duplicate committed meanwhile)
                total = self._chars[job_id][1]
                self._chars[job_id] = (total, total)
            self._passages.pop(job_id, None)
            self.passages += passages
            self.current, self.current_job = None, None

    def snapshot(self) -> dict:
        with self._lock:
            elapsed = max(time.monotonic() - self.started, 1e-6)
            embedded = sum(done for done, _ in self._chars.values())
            read = [job for job in self._chars if job in self._sizes]
            per_byte = sum(self._chars[j][1] for j in read) / sum(self._sizes[j] for j in read) if read else 1.0
            left: float = sum(total - done for done, total in self._chars.values())
            left += sum(
                self._sizes[job] * per_byte
                for job in self._sizes
                if job not in self._chars and job not in self._finished
            )
            rate = embedded / elapsed
            passages = self.passages + sum(self._passages.values())
            estimates = {
                job: self._chars.get(job, (0, round(self._sizes[job] * per_byte)))
                for job in sorted(self._sizes)
                if job not in self._finished
            }
            return {
                "done": len(self._finished),
                "total": len(self._sizes),
                "pages": sum(self._pages.values()),
                "passages": passages,
                "passages_per_s": round(passages / elapsed, 2) if self._sizes else 0.0,
                "characters_per_s": round(rate, 1) if self._sizes else 0.0,
                "characters_left": round(left),
                "elapsed_s": round(elapsed, 1) if self._sizes else 0.0,
                "eta_s": round(left / rate, 1) if rate > 0 else None,
                "current": self.current,
                "current_job": self.current_job,
                "percent": round(100 * embedded / (embedded + left), 1) if embedded + left > 0 else None,
                "jobs": self._per_job(estimates, rate),
            }

    def _per_job(self, estimates: Mapping[int, tuple[int, int]], rate: float) -> list[dict]:
        """Each unfinished job of the batch (in the order they are processed): pages read, passages embedded, the
        share of its characters embedded, and when it should be done (the characters before and in it, at the
        batch's rate)."""
        jobs, ahead = [], 0
        for job, (done, total) in estimates.items():
            ahead += total - done
            jobs.append(
                {
                    "job_id": job,
                    "pages": self._pages.get(job, 0),
                    "passages": self._passages.get(job, 0),
                    "percent": round(100 * done / total, 1) if job in self._chars and total else 0.0,
                    "eta_s": round(ahead / rate, 1) if rate > 0 else None,
                }
            )
        return jobs


def _thousands(n: int) -> str:
    return f"{n:,}"


def stored_sizes(engine: Engine, job_ids: Iterable[int]) -> dict[int, int]:
    """The size in bytes of each job's stored file (0 when it is missing)."""
    sizes = {}
    for job_id, job in get_jobs(engine, job_ids).items():
        path = Path(job.stored_path) if job.stored_path else None
        sizes[job_id] = path.stat().st_size if path is not None and path.is_file() else 0
    return sizes


def has_running(engine: Engine) -> bool:
    """Whether some job is marked running (by a live writer, or left by a dead one)."""
    with Session(engine) as session:
        return (
            session.exec(select(IngestJob.id).where(IngestJob.state == JobState.running).limit(1)).first() is not None
        )


def original_file(session: Session, document_id: int) -> tuple[Path, str]:
    """The stored copy of the file a document was made from, and the name it was submitted under."""
    rows = session.exec(
        select(IngestJob.stored_path, IngestJob.filename)
        .where(IngestJob.document_id == document_id, col(IngestJob.stored_path).is_not(None))
        .order_by(col(IngestJob.id))
    ).all()
    for stored_path, filename in rows:
        if stored_path and Path(stored_path).is_file():
            return Path(stored_path), filename
    raise NotFoundError(f"the original file of document {document_id} is not stored in this archive")


def attachment_jobs(session: Session, document_id: int) -> list[IngestJob]:
    """The jobs of the files found inside a document's file (an e-mail's attachments, a mailbox's messages)."""
    makers = select(IngestJob.id).where(IngestJob.document_id == document_id, IngestJob.state == JobState.indexed)
    query = select(IngestJob).where(col(IngestJob.parent_job_id).in_(makers)).order_by(col(IngestJob.id))
    return list(session.exec(query).all())


def container_document_ids(session: Session, document_id: int) -> list[int]:
    """The documents whose files held this document's file (the messages it is attached to, the mailbox)."""
    parents = select(IngestJob.parent_job_id).where(
        IngestJob.document_id == document_id, col(IngestJob.parent_job_id).is_not(None)
    )
    query = select(IngestJob.document_id).where(col(IngestJob.id).in_(parents), col(IngestJob.document_id).is_not(None))
    return sorted({int(found) for found in session.exec(query).all() if found is not None})

"""The ingest pipeline: file → job → extract → chunk → embed → one transaction → vector index.

Every file submitted ends as an `IngestJob` in state indexed, duplicate or failed (with a reason a person
understands). A file is stored (content-addressed) and its job row written as `queued` before any parsing; a worker
claims it (indexing.job_states: the holder of the writer lock on SQLite, any number of workers on PostgreSQL) and
moves it through `running` to its end state. The database commit is the moment a document exists; the vector index
follows it and is brought back in step from stored embeddings if the process dies in between.

While one document is embedded (the slow stage), the next ones are extracted (PDFs in sandboxed child
processes), chunked and shingled in a small thread pool, so that the embedder never waits for a parser.
"""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import BinaryIO

import numpy as np
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from archive import audit, storage
from archive.access import Submission, clean_groups, parse_visibility
from archive.db import is_sqlite, session_scope
from archive.errors import ArchiveError, ExtractionError, ParserFailureError
from archive.lock import NoWriterLock, WriterLock
from archive.models import Document, DocumentGroup, IngestJob, JobState, Passage, row_id
from archive.settings import Settings
from indexing import formats, job_states, near_duplicates, passage_embedding
from indexing import jobs as job_store
from indexing.chunk import Chunk, chunk_document, embedding_text
from indexing.embed import Embedder, content_hash
from indexing.extract import ExtractedText, ExtractionLimits
from indexing.file_types import check_stream_type
from indexing.furniture import passage_regions
from indexing.index_store import IndexStore, check_embedder, record_embedder
from indexing.job_states import ClaimedJob, LeaseKeeper, LeaseLost
from indexing.jobs import FINAL_STATES, MAX_ATTEMPTS, BatchProgress
from indexing.manifest import (
    MANIFEST_NAME,
    DocumentMetadata,
    apply_metadata,
    metadata_for,
    submitted_metadata,
    with_defaults,
)
from indexing.passage_embedding import EmbeddedPassage, SpooledPassages
from indexing.persons import load_known_persons
from indexing.persons.tagging import PersonTagger, find_person_mentions, known_persons_beside
from indexing.sentence_vectors import decode_spans, encode_spans
from indexing.threads import MachineShare, use_openmp_threads
from indexing.titles import choose_title
from language.scripts import guess_language, passage_language

log = logging.getLogger(__name__)

PREFETCH = 2  # documents prepared ahead of the one being embedded
WAIT_POLL_S = 0.5
SIDECAR_NAMES = {MANIFEST_NAME, "persons.json"}  # read beside the files, not ingested
CHILD_MARK = " › "  # between a file's path and the name of a file found inside it, in outcomes
REASON_DETAIL_CHARS = 200  # an unexpected error's own message is kept this long in a job's reason
EMBED_BATCH = 64  # texts (mostly sentences) embedded in one call, between two progress reports
PASSAGE_GROUP = 256  # passages embedded, then written to the database, together (bounds memory for long texts)


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one submitted file."""

    path: str
    state: JobState
    reason: str | None = None
    document_id: int | None = None
    passages: int = 0
    job_id: int | None = None
    pages: int = 0
    warnings: tuple[str, ...] = ()  # what of the file could not be read (an attachment, a mailbox's message)
    parent_job_id: int | None = None  # the job whose file held this one


ProgressCallback = Callable[[IngestOutcome], None]


def collect_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files to ingest: named files as given, folders searched recursively for every file (hidden files and the
    `manifest.json` and `persons.json` read beside the files left out); see `formats.skip_reason` for the others."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.name not in SIDECAR_NAMES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            yield path


@dataclass
class _Prepared:
    """A job after the stages that need no writer: extracted, chunked, shingled (or what stopped it)."""

    job: ClaimedJob
    duplicate: Document | None = None
    error: str | None = None
    transient: bool = False  # the parser process failed, not the file: worth another attempt
    extracted: ExtractedText | None = None
    document: Document | None = None
    chunks: list[Chunk] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)  # per chunk: the key its vectors are stored and found under
    mentions: list = field(default_factory=list)
    signature: np.ndarray | None = None
    groups: list[str] = field(default_factory=list)  # who may read the document when it is restricted
    children: list[tuple[job_store.StoredFile, str]] = field(default_factory=list)  # files found inside, stored
    warnings: list[str] = field(default_factory=list)


_mentions_lock = threading.Lock()  # the spaCy pipeline is shared; one document at a time


class Ingestor:
    """Turns submitted files into documents, passages and vectors, one writer at a time."""

    def __init__(self, engine: Engine, embedder: Embedder, index_store: IndexStore, settings: Settings) -> None:
        self._engine = engine
        self._embedder = embedder
        self._index = index_store
        self._settings = settings
        self._persons = PersonTagger()
        self._limits = ExtractionLimits(
            timeout_s=settings.pdf_timeout_s, memory_mb=settings.pdf_memory_mb, max_pages=settings.pdf_max_pages
        )
        self.lock_path = settings.writer_lock_path
        self.progress = BatchProgress()
        self.worker = job_states.worker_name()
        self.after_batch: list[Callable[[], object]] = []  # run once a batch has indexed documents (saved searches)
        self._share = MachineShare()
        self._threads = 0  # OpenMP threads set for this process's embedding calls (0: not yet)

    def writer_lock(self) -> WriterLock | NoWriterLock:
        """A new handle on the archive's writer lock (flock: handles exclude each other, even in one process).

        A database server needs none: its workers claim jobs row by row (see indexing.job_states)."""
        return WriterLock(self.lock_path) if is_sqlite(self._engine) else NoWriterLock()

    # ------------------------------------------------------------------ submitting
    def submit(self, path: Path, *, resume: bool = False, submission: Submission | None = None) -> int:
        """Store a file and queue a job for it; returns the job id (a failed job if the file cannot be read).

        With `resume`, an unfinished job for the same file (left by an interrupted run) is reused, and so is a
        failed one: an unchanged file that failed is not parsed again (`retry_failed` does that), unless it failed
        only because processing was interrupted: that job is queued again."""
        path = Path(path)
        limit_mb = self._settings.max_file_mb
        try:
            too_large = path.stat().st_size > limit_mb * 1024 * 1024
        except OSError:
            too_large = False  # reported below, when the file is read
        if too_large:
            size_mb = path.stat().st_size / 1024 / 1024
            reason = f"file too large ({size_mb:.1f} MB; the limit is {limit_mb} MB, ARCHIVE_MAX_FILE_MB)"
            return job_store.record_unreadable(self._engine, path, reason)
        try:
            stored = job_store.store_file(self._settings, path)
        except OSError as error:
            return job_store.record_unreadable(self._engine, path, f"cannot read the file: {error.strerror or error}")
        if resume and (failed := job_store.earlier_failure(self._engine, stored.sha256)) is not None:
            if not job_store.was_interrupted(self._engine, failed):
                return failed
            (retried,) = job_store.retry_failed(self._engine, [failed])  # interrupted: the user's run tries it again
            return retried
        return job_store.enqueue(
            self._engine, stored, path.name, path.resolve(), reuse_unfinished=resume, submission=submission
        )

    def submit_stream(
        self, stream: BinaryIO, filename: str, max_bytes: int | None = None, submission: Submission | None = None
    ) -> int:
        """Store an uploaded file and queue a job for it (raises `UploadTooLarge` past max_bytes).

        A file of a type the archive cannot read is refused (`UnsupportedFileTypeError`) before it is stored."""
        filename = job_store.safe_filename(filename)
        check_stream_type(stream, filename)
        stored = job_store.store_stream(self._settings, stream, filename, max_bytes)
        return job_store.enqueue(self._engine, stored, filename, submission=submission)

    # ------------------------------------------------------------------ processing
    def ingest(
        self,
        paths: Sequence[Path],
        on_progress: ProgressCallback | None = None,
        on_wait: Callable[[int | None], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        submission: Submission | None = None,
    ) -> list[IngestOutcome]:
        """Submit files (`submission`: by whom, for whom) and process them now; a bad file never stops the batch.

        Processing needs the writer lock. When another process holds it (a running server's worker), that process
        works through the queue, these jobs included: `on_wait(holder_pid)` is called once and this call waits,
        reporting the jobs as they finish, and takes over if the lock is released first.
        When `should_stop()` turns true, the file being processed is finished and the others stay queued (a later
        run resumes them); their outcomes say `queued`.
        The files found inside these (an e-mail's attachments, a mailbox's messages) are processed with them and
        reported after them, each named by its container's path, " › " and its own name.
        """
        with Session(self._engine) as session:
            check_embedder(session, self._embedder.spec)
        job_ids = [self.submit(path, resume=True, submission=submission) for path in paths]
        by_job: dict[int, list[str]] = {}
        for job_id, path in zip(job_ids, paths):
            by_job.setdefault(job_id, []).append(str(path))
        outcomes: dict[int, IngestOutcome] = {}

        def report(outcome: IngestOutcome) -> None:
            if outcome.job_id in outcomes or outcome.job_id not in by_job:
                return
            outcomes[outcome.job_id] = outcome
            if on_progress:
                for path in by_job[outcome.job_id]:
                    on_progress(_with_path(outcome, path))

        for job in job_store.get_jobs(self._engine, by_job).values():  # unreadable, or failed before unchanged
            if job.state == JobState.failed and job.sha256:
                report(_earlier_failure(job))
            elif job.state in FINAL_STATES:
                report(_outcome_of(job))
        children: list[int] = []

        def adopt_children() -> None:
            """Add the jobs made for files found inside the batch's files to the jobs this call waits for (those of
            an earlier submission too, when a file came out as its duplicate: an interrupted batch run again)."""
            aliases = job_store.makers_of_duplicates(self._engine, by_job)
            pending = [*by_job, *aliases]
            while pending:
                found = [child for child in job_store.child_jobs(self._engine, pending) if child.id not in by_job]
                for child in found:
                    parent = child.parent_job_id or 0
                    by_job[row_id(child)] = [f"{by_job[aliases.get(parent, parent)][0]}{CHILD_MARK}{child.filename}"]
                    children.append(row_id(child))
                pending = [row_id(child) for child in found]

        adopt_children()  # a batch run again after an interruption: children queued by the first run
        waiting_reported = False
        lock = self.writer_lock()
        while len(outcomes) < len(by_job) and not (should_stop and should_stop()):
            if lock.acquire(timeout=0):  # other workers (PostgreSQL) may be processing some of these jobs meanwhile
                try:
                    self.process_queued(among=list(by_job), on_outcome=report, should_stop=should_stop)
                finally:
                    lock.release()
            elif not waiting_reported and on_wait:
                on_wait(lock.holder_pid())
                waiting_reported = True
            for job in job_store.get_jobs(self._engine, by_job).values():
                if job.state in FINAL_STATES:
                    report(_outcome_of(job))
            adopt_children()
            if len(outcomes) < len(by_job):
                time.sleep(WAIT_POLL_S)
        for job in job_store.get_jobs(self._engine, by_job).values():  # whatever was not reported (never lost)
            if job.state in FINAL_STATES:
                report(_outcome_of(job))
            else:  # not started: stopped, or left to the lock holder
                outcomes.setdefault(row_id(job), _outcome_of(job))
        named = [_with_path(outcomes[job_id], path) for job_id, path in zip(job_ids, map(str, paths))]
        return named + [_with_path(outcomes[job_id], by_job[job_id][0]) for job_id in children]

    def process_queued(
        self,
        among: Sequence[int] | None = None,
        on_outcome: ProgressCallback | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[IngestOutcome]:
        """Process queued jobs (all, or those among the given ids) until none is left. The caller holds the lock.

        Jobs a dead worker left `running` are queued again first. A parser crash or time-out queues the job again,
        up to MAX_ATTEMPTS attempts in all; any other failure is final at once.
        """
        done: list[IngestOutcome] = []
        first = True
        with self._share:
            while not (should_stop and should_stop()):
                job_states.requeue_abandoned(self._engine)
                ids = job_store.queued_job_ids(self._engine, among)
                if not ids:
                    break
                if first:
                    self.progress.reset(job_store.stored_sizes(self._engine, ids))
                    first = False
                else:
                    self.progress.add(job_store.stored_sizes(self._engine, ids))
                self._process_jobs(ids, done, on_outcome, should_stop)
        if any(outcome.state == JobState.indexed for outcome in done):
            self._run_after_batch()
        return done

    def _run_after_batch(self) -> None:
        for hook in self.after_batch:
            try:
                hook()
            except Exception:  # the batch is committed: what follows it must not fail it
                log.exception("a step after the ingest batch failed")

    def _process_jobs(
        self,
        job_ids: list[int],
        done: list[IngestOutcome],
        on_outcome: ProgressCallback | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        claimable = job_store.get_jobs(self._engine, job_ids)
        with session_scope(self._engine) as session:
            check_embedder(session, self._embedder.spec)
            job_states.serialize_commits(session)
            self._persons.load(session)
            sources = {Path(job.source_path) for job in claimable.values() if job.source_path}
            for curated in {c for c in map(known_persons_beside, sources) if c is not None}:
                self._persons.merge_known(session, load_known_persons(curated))
            self._persons.mark_current(session)
        lease_s = self._settings.job_lease_s
        more = True
        inflight: deque[tuple[ClaimedJob, Future[_Prepared]]] = deque()
        # Not a `with` block: leaving it waits for the file being prepared, and an interrupt must not wait for a
        # huge text to be read and split (see `abandon_preparation`).
        pool = ThreadPoolExecutor(max(PREFETCH, 1), thread_name_prefix="ingest-prepare")
        interrupted = False
        with LeaseKeeper(self._engine, self.worker, lease_s) as leases:
            try:
                while more or inflight:
                    while more and len(inflight) <= PREFETCH:
                        claimed = job_states.claim_next(self._engine, self.worker, lease_s, among=job_ids)
                        more = claimed is not None
                        if claimed is not None:
                            leases.hold(claimed.id)
                            inflight.append((claimed, pool.submit(self._prepare, claimed)))
                    if not inflight:
                        break
                    job, future = inflight.popleft()
                    try:
                        outcome = self._complete(future.result())
                    except BaseException:  # e.g. a second Ctrl-C: the transaction rolled back, the job waits
                        job_states.unclaim(self._engine, job)
                        raise
                    finally:
                        leases.release(job.id)
                    if outcome is not None:
                        log.info(
                            "job %s %s: %s%s",
                            outcome.job_id,
                            outcome.path,
                            outcome.state.value,
                            f" ({outcome.reason})" if outcome.reason else "",
                        )
                        self.progress.finished(job.id, outcome.passages)
                        done.append(outcome)
                        if on_outcome:
                            on_outcome(outcome)
                    if should_stop and should_stop():
                        break
            except BaseException:
                interrupted = True
                raise
            finally:
                for job, future in inflight:  # claimed but not finished (stopping, or an unexpected error)
                    future.cancel()
                    job_states.unclaim(self._engine, job)
                    leases.release(job.id)
                pool.shutdown(wait=not interrupted, cancel_futures=True)
                self._index.save()

    # ------------------------------------------------------------------ stages
    def _prepare(self, job: ClaimedJob) -> _Prepared:
        """Everything before embedding that needs no writer (runs in the prefetch pool)."""
        stage, reading = "looking the file up in the archive", False
        try:
            with Session(self._engine) as session:
                existing = storage.find_document_by_sha256(session, job.sha256)
            if existing is not None:
                return _Prepared(job, duplicate=existing)
            stored = job_store.stored_copy(self._settings, job.stored_path)
            if stored is None:
                raise ExtractionError("the stored copy of the file is missing; submit the file again")
            stage = "reading the text of the file"
            job_states.set_stage(self._engine, job, job_states.READING)
            reading = True
            fmt, extracted = formats.read(
                stored, job.filename, self._limits, on_page=lambda n: self.progress.parsing(job.id, job.filename, n)
            )
            stage = "storing the files found inside it"
            children, warnings = self._store_children(extracted)
            stage = "splitting the text into passages"
            stated = submitted_metadata(job.submission.metadata, job.source_path)
            metadata = with_defaults(stated, extracted.metadata)
            chunks = chunk_document(extracted.text, passage_regions(extracted.text, extracted.pages, metadata.kind))
            if not chunks:
                raise ExtractionError("no text could be extracted")
            document = _new_document(job.filename, job.sha256, extracted, metadata)
            document.format = fmt.name
            visibility = job.submission.visibility or metadata.visibility or self._settings.default_visibility
            document.visibility = parse_visibility(visibility).value
            spec = self._embedder.spec  # a passage's content: its text with the furniture between pages blanked
            hashes = [content_hash(spec, embedding_text(document.title, c.content(extracted.text))) for c in chunks]
            stage = "finding the people named in the text"
            with _mentions_lock:
                mentions = find_person_mentions(extracted.text)
            stage = "comparing the text with earlier documents"
            signature = near_duplicates.signature(extracted.text)
            return _Prepared(
                job,
                extracted=extracted,
                document=document,
                chunks=chunks,
                hashes=hashes,
                mentions=mentions,
                signature=signature,
                groups=clean_groups([*job.submission.groups, *metadata.groups]),
                children=children,
                warnings=warnings,
            )
        except ArchiveError as error:
            return _Prepared(job, error=str(error), transient=isinstance(error, ParserFailureError))
        except Exception as error:  # a bug must fail this file only, with a reason, and be logged
            log.exception("unexpected error while %s of %s", stage, job.filename)
            return _Prepared(job, error=unexpected_reason(stage, error))
        finally:  # read (or failed to): a kill from now on is not the file's doing
            if reading:
                job_states.set_stage(self._engine, job, None)

    def _store_children(self, extracted: ExtractedText) -> tuple[list[tuple[job_store.StoredFile, str]], list[str]]:
        """Store the files found inside a file (attachments, a mailbox's messages) for jobs of their own; one of a type
        the archive cannot read is named in the warnings instead (it stays inside the stored original)."""
        children: list[tuple[job_store.StoredFile, str]] = []
        warnings = list(extracted.warnings)
        for attachment in extracted.attachments:
            name = job_store.safe_filename(attachment.filename)
            try:
                formats.detect(name, attachment.data[: formats.SNIFF_BYTES])
            except ArchiveError as error:
                warnings.append(f"attachment {name!r} not ingested: {error}")
                continue
            children.append((job_store.store_bytes(self._settings, attachment.data, name), name))
        return children, warnings

    def _complete(self, prepared: _Prepared) -> IngestOutcome | None:
        """Embed and commit a prepared job (the writer's part); None when the job was queued again or taken over."""
        try:
            return self._complete_claimed(prepared)
        except LeaseLost as lost:  # this worker stalled past its lease; the other worker's result stands
            log.warning("%s: this worker's result is dropped", lost)
            return None

    def _complete_claimed(self, prepared: _Prepared) -> IngestOutcome | None:
        job = prepared.job
        if prepared.duplicate is not None:
            existing = prepared.duplicate
            self._refresh_metadata(job, row_id(existing))
            return self._finish_job(
                job,
                JobState.duplicate,
                document_id=existing.id,
                reason=job_store.duplicate_reason(existing),
            )
        if prepared.error is not None:
            if prepared.transient:
                if job.attempts < MAX_ATTEMPTS:
                    job_states.retry_later(self._engine, job, prepared.error)
                    return None
                return self._finish_job(
                    job, JobState.failed, reason=f"{prepared.error} (gave up after {job.attempts} attempts)"
                )
            return self._finish_job(job, JobState.failed, reason=prepared.error)
        try:
            return self._commit(prepared)
        except LeaseLost:
            raise
        except ArchiveError as error:
            return self._finish_job(job, JobState.failed, reason=str(error))
        except Exception as error:  # e.g. the database refused the document: this file fails, the batch goes on
            log.exception("unexpected error while saving %s", job.filename)
            return self._finish_job(job, JobState.failed, reason=unexpected_reason("saving the document", error))

    def _commit(self, prepared: _Prepared) -> IngestOutcome:
        job, document, chunks, extracted = prepared.job, prepared.document, prepared.chunks, prepared.extracted
        assert document is not None and extracted is not None  # prepared without an error
        with Session(self._engine) as session:  # an identical file committed since this one was prepared
            existing = storage.find_document_by_sha256(session, job.sha256)
        if existing is not None:
            return self._finish_job(
                job,
                JobState.duplicate,
                document_id=existing.id,
                reason=job_store.duplicate_reason(existing),
            )
        embedded = self._embed(job, document, chunks, prepared.hashes)
        try:
            with session_scope(self._engine) as session:
                job_states.serialize_commits(session)  # one document at a time, whichever worker commits it
                existing = storage.find_document_by_sha256(session, job.sha256)
                if existing is not None:  # committed by another worker while this one embedded
                    same = job_store.duplicate_reason(existing)
                    job_states.finish(session, job, JobState.duplicate, document_id=existing.id, reason=same)
                    return IngestOutcome(job.filename, JobState.duplicate, same, existing.id, 0, job.id)
                original = near_duplicates.find_original(session, prepared.signature)
                if original is not None:
                    document.duplicate_of = original.document_id
                session.add(document)
                session.flush()
                # Names and decisions stored meanwhile (another worker, an editor), read after this transaction's
                # first write: on SQLite nobody can change them again until it ends.
                self._persons.refresh(session)
                session.add_all(DocumentGroup(document_id=row_id(document), group=g) for g in prepared.groups)
                audit.add(
                    session,
                    job.submission.by,
                    "ingest",
                    "document",
                    document.id,
                    f"job {job.id}; {job.filename}; {document.visibility}",
                )
                self._persons.tag(session, [], prepared.mentions)  # the people first, then their passages
                mention_starts = [m.char_start for m in prepared.mentions]
                ids_of_groups = []
                for start in range(0, len(chunks), PASSAGE_GROUP):  # flushed and let go a group at a time
                    group = chunks[start : start + PASSAGE_GROUP]
                    passages = _new_passages(
                        document, group, prepared.hashes[start:], embedded.read(len(group)), ordinal=start
                    )
                    session.add_all(passages)
                    session.flush()
                    first = bisect.bisect_left(mention_starts, group[0].char_start)
                    last = bisect.bisect_right(mention_starts, group[-1].char_end)
                    self._persons.tag(session, passages, prepared.mentions[first:last])
                    ids_of_groups.append(np.array([p.id for p in passages], dtype=np.int64))
                    for passage in passages:
                        session.expunge(passage)
                near_duplicates.store_signature(session, row_id(document), prepared.signature)
                record_embedder(session, self._embedder.spec)
                reason = None
                if original is not None:
                    reason = f"near-duplicate of document {original.document_id} ({original.similarity:.0%} similar)"
                child_submission = Submission(
                    by=job.submission.by,
                    visibility=parse_visibility(document.visibility),
                    groups=tuple(prepared.groups),
                )
                for stored_child, name in prepared.children:  # queued with the document: both exist, or neither
                    job_store.add_job(session, stored_child, name, submission=child_submission, parent_job_id=job.id)
                job_states.finish(
                    session, job, JobState.indexed, document_id=document.id, reason=reason, warnings=prepared.warnings
                )
                self._persons.mark_current(session)
        except IntegrityError as error:
            with session_scope(self._engine) as session:
                self._persons.load(session)  # forget names of the rolled-back transaction
                existing = storage.find_document_by_sha256(session, job.sha256)
            if existing is None:  # another constraint than the file's uniqueness: not a duplicate
                log.error("integrity error while saving %s: %s", job.filename, error)
                return self._finish_job(job, JobState.failed, reason=unexpected_reason("saving the document", error))
            return self._finish_job(
                job,
                JobState.duplicate,
                document_id=existing.id,  # committed meanwhile
                reason="same file was indexed meanwhile",
            )
        except BaseException:
            with Session(self._engine) as session:
                self._persons.load(session)  # forget names of the rolled-back transaction
            raise
        embedded.rewind()
        for ids in ids_of_groups:
            self._index.add(ids, np.stack([e.vector for e in embedded.read(len(ids))]))
        embedded.close()
        return IngestOutcome(
            job.filename,
            JobState.indexed,
            reason,
            document.id,
            len(chunks),
            job.id,
            len(extracted.pages),
            tuple(prepared.warnings),
        )

    def _embed(self, job: ClaimedJob, document: Document, chunks: list[Chunk], hashes: list[str]) -> SpooledPassages:
        """Vectors for a document's passages, PASSAGE_GROUP passages at a time, kept in a temporary file (memory
        stays bounded for a text of any length): those stored before under the same key are reused, the others are
        embedded in one pass (indexing.passage_embedding), EMBED_BATCH texts between two progress reports.
        Progress counts the passages' characters (indexing.jobs.BatchProgress)."""
        spool = SpooledPassages()
        dim = self._embedder.spec.dim
        total, done = _characters(chunks), 0
        self.progress.embedding(job.id, job.filename, 0, total, 0)
        for start in range(0, len(chunks), PASSAGE_GROUP):
            group, group_hashes = chunks[start : start + PASSAGE_GROUP], hashes[start : start + PASSAGE_GROUP]
            with Session(self._engine) as session:
                known = storage.embedded_by_hash(session, group_hashes)
            todo = [i for i, h in enumerate(group_hashes) if h not in known]
            embedding_plan = passage_embedding.plan(document.title, [group[i].content(document.text) for i in todo])
            share = _characters(group) / max(embedding_plan.chars, 1)
            report = partial(self._report_embedding, job, total, done, share, start, len(group) / max(total, 1))
            vectors = passage_embedding.embed_texts(self._embed_shared, embedding_plan.texts, EMBED_BATCH, report)
            fresh = dict(zip(todo, passage_embedding.combine(embedding_plan, vectors)))
            for i, h in enumerate(group_hashes):
                spool.write(fresh[i] if i in fresh else _reused(known[h], dim))
            done += _characters(group)
            self.progress.embedding(job.id, job.filename, done, total, start + len(group))
        spool.rewind()
        return spool

    def _report_embedding(
        self, job: ClaimedJob, total: int, before: int, share: float, first: int, per_char: float, embedded: int
    ) -> None:
        """Progress inside a group: `embedded` characters of its texts, counted as `share` characters of passages
        each, after `before` characters of earlier groups; `first` passages came before it."""
        done = min(total, before + round(embedded * share))
        self.progress.embedding(job.id, job.filename, done, total, first + round((done - before) * per_char))

    def _embed_shared(self, texts: list[str]) -> np.ndarray:
        """The embedder's vectors, computed with this process's share of the machine's cores."""
        threads = self._share.threads()
        if threads != self._threads:
            use_openmp_threads(threads)
            self._threads = threads
        return self._embedder.embed_passages(texts)

    # ------------------------------------------------------------------ jobs
    def _refresh_metadata(self, job: ClaimedJob, document_id: int) -> None:
        """A file ingested again brings its manifest's current metadata (dates, authors, ...) to its document."""
        if not job.source_path:
            return
        metadata = metadata_for(Path(job.source_path))
        if metadata == DocumentMetadata():
            return
        with session_scope(self._engine) as session:
            document = session.get(Document, document_id)
            if document is not None and apply_metadata(document, metadata):
                session.add(document)

    def _finish_job(
        self, job: ClaimedJob, state: JobState, *, reason: str | None = None, document_id: int | None = None
    ) -> IngestOutcome:
        with session_scope(self._engine) as session:
            job_states.finish(session, job, state, reason=reason, document_id=document_id)
        return IngestOutcome(job.filename, state, reason, document_id, 0, job.id)


def unexpected_reason(stage: str, error: BaseException) -> str:
    """A failure reason for an error nobody anticipated: the stage it stopped, then the error itself, shortened."""
    detail = " ".join(str(getattr(error, "orig", None) or error).split()) or "no message"
    if len(detail) > REASON_DETAIL_CHARS:
        detail = detail[: REASON_DETAIL_CHARS - 1] + "…"
    return f"unexpected error while {stage}: {type(error).__name__}: {detail}"


def _outcome_of(job: IngestJob) -> IngestOutcome:
    return IngestOutcome(
        job.filename,
        job.state,
        job.reason,
        job.document_id,
        0,
        job.id,
        warnings=tuple(job_store.job_warnings(job)),
        parent_job_id=job.parent_job_id,
    )


def _earlier_failure(job: IngestJob) -> IngestOutcome:
    reason = f"{job.reason} (unchanged since job {job.id} failed; `archive retry {job.id}` tries it again)"
    return IngestOutcome(job.filename, job.state, reason, job.document_id, 0, job.id)


def _with_path(outcome: IngestOutcome, path: str) -> IngestOutcome:
    return replace(outcome, path=path)


def _new_document(filename: str, sha256: str, extracted: ExtractedText, metadata: DocumentMetadata) -> Document:
    title = choose_title(metadata.title, extracted.title_hint, extracted.text, filename)
    document = Document(
        sha256=sha256,
        source=filename,
        title=title,
        language=metadata.language or guess_language(extracted.text),
        page_count=len(extracted.pages) or None,
        text=extracted.text,
        warnings="\n".join(extracted.warnings) or None,
        properties=json.dumps(extracted.properties, ensure_ascii=False) if extracted.properties else None,
    )
    apply_metadata(document, replace(metadata, title=None))
    return document


def _reused(stored: storage.StoredEmbedding, dim: int) -> EmbeddedPassage:
    return EmbeddedPassage(
        storage.bytes_to_vectors([stored.embedding], dim)[0],
        decode_spans(stored.sentence_spans),
        stored.sentence_vectors,
    )


def _characters(chunks: Sequence[Chunk]) -> int:
    """The characters of the chunks' text, the sentence two overlapping chunks share counted once."""
    total, end = 0, -1
    for chunk in chunks:
        total += chunk.char_end - max(chunk.char_start, end)
        end = chunk.char_end
    return total


def _new_passages(
    document: Document, chunks: list[Chunk], hashes: list[str], embedded: list[EmbeddedPassage], ordinal: int = 0
) -> list[Passage]:
    return [
        Passage(
            document_id=row_id(document),
            ordinal=ordinal,
            char_start=chunk.char_start,
            char_end=chunk.char_end,
            page_start=chunk.page,
            page_end=chunk.page_end if chunk.page_end is not None else chunk.page,
            text=document.text[chunk.char_start : chunk.char_end],
            language=passage_language(document.text[chunk.char_start : chunk.char_end]),
            page_breaks=encode_spans([(s - chunk.char_start, e - chunk.char_start) for s, e in chunk.page_breaks]),
            heading=chunk.heading,
            ocr=chunk.ocr,
            content_hash=content_hash_,
            embedding=storage.vector_to_bytes(vectors.vector),
            sentence_spans=encode_spans(vectors.sentence_spans),
            sentence_vectors=vectors.sentence_vectors,
        )
        for ordinal, (chunk, content_hash_, vectors) in enumerate(zip(chunks, hashes, embedded), start=ordinal)
    ]

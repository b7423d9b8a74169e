"""Ingest jobs: their states, reasons and progress."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session

from api.auth import EditorCallerDep, EditorDep
from api.deps import SessionDep
from api.params import JobIdPath, Limit, Offset
from api.responses import EDITOR, NOT_FOUND
from api.schemas import BatchProgressPublic, JobList, JobPublic
from archive.access import Caller, readable_document_ids, visible_jobs_condition
from archive.models import IngestJob, JobState
from indexing import jobs as job_store

router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[EditorDep], responses=EDITOR)  # editors only


def _progress(request: Request, session: Session, caller: Caller) -> BatchProgressPublic:
    """The batch's progress; the file being worked on is named, and a job's progress shown, only to those who may
    see the job."""
    snapshot = request.app.state.services.ingestor.progress.snapshot()
    current_job = snapshot.pop("current_job", None)
    shown = [job["job_id"] for job in snapshot["jobs"]] + ([current_job] if current_job is not None else [])
    visible = job_store.visible_job_ids(session, shown, visible_jobs_condition(caller))
    if current_job is not None and current_job not in visible:
        snapshot["current"] = None
    snapshot["jobs"] = [job for job in snapshot["jobs"] if job["job_id"] in visible]
    return BatchProgressPublic(**snapshot)


def _public(session: Session, caller: Caller, jobs: list[IngestJob]) -> list[JobPublic]:
    """The jobs as the caller may see them (a duplicate of a hidden document is not named)."""
    readable = readable_document_ids(session, caller, {j.document_id for j in jobs if j.document_id is not None})
    return [JobPublic.of(job, job.document_id is None or job.document_id in readable) for job in jobs]


@router.get("", response_model=JobList)
def list_jobs(
    request: Request,
    session: SessionDep,
    caller: EditorCallerDep,
    state: Annotated[JobState | None, Query(description="Only jobs in this state")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> JobList:
    """Ingest jobs the caller may see (their own uploads and those of documents they may read), oldest first, with
    counts per state and the progress of the batch being processed."""
    return job_list(request, session, caller, state, offset, limit)


def job_list(
    request: Request, session: Session, caller: Caller, state: JobState | None, offset: int, limit: int
) -> JobList:
    """The jobs a caller may see, their counts and the batch's progress (for `GET /jobs` and the ingest page)."""
    visible = visible_jobs_condition(caller)
    return JobList(
        jobs=_public(session, caller, job_store.list_jobs(session, state, offset, limit, visible)),
        counts=job_store.count_by_state(session, visible),
        progress=_progress(request, session, caller),
    )


@router.get("/progress", response_model=BatchProgressPublic)
def batch_progress(request: Request, session: SessionDep, caller: EditorCallerDep) -> BatchProgressPublic:
    """Files done / total, passages per second and ETA of the batch the server's worker is processing."""
    return _progress(request, session, caller)


@router.get("/{job_id}", response_model=JobPublic, responses=NOT_FOUND)
def get_job(session: SessionDep, caller: EditorCallerDep, job_id: JobIdPath) -> JobPublic:
    """A job the caller may see; any other answers like a missing one."""
    (public,) = _public(session, caller, [job_store.get_job(session, job_id, visible_jobs_condition(caller))])
    return public

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.auth import EditorDep
from api.deps import SessionDep
from api.params import JobIdPath, Limit, Offset
from api.responses import EDITOR, NOT_FOUND
from api.schemas import BatchProgressPublic, JobList, JobPublic
from archive.errors import NotFoundError
from archive.models import IngestJob, JobState
from indexing import jobs as job_store

router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[EditorDep], responses=EDITOR)  # editors only


def _progress(request: Request) -> BatchProgressPublic:
    return BatchProgressPublic(**request.app.state.services.ingestor.progress.snapshot())


@router.get("", response_model=JobList)
def list_jobs(
    request: Request,
    session: SessionDep,
    state: Annotated[JobState | None, Query(description="Only jobs in this state")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> JobList:
    """Ingest jobs, oldest first, with counts per state and the progress of the batch being processed."""
    return JobList(
        jobs=[JobPublic.of(job) for job in job_store.list_jobs(session, state, offset, limit)],
        counts=job_store.count_by_state(session),
        progress=_progress(request),
    )


@router.get("/progress", response_model=BatchProgressPublic)
def batch_progress(request: Request) -> BatchProgressPublic:
    """Files done / total, passages per second and ETA of the batch the server's worker is processing."""
    return _progress(request)


@router.get("/{job_id}", response_model=JobPublic, responses=NOT_FOUND)
def get_job(session: SessionDep, job_id: JobIdPath) -> JobPublic:
    job = session.get(IngestJob, job_id)
    if job is None:
        raise NotFoundError(f"job {job_id} does not exist")
    return JobPublic.of(job)

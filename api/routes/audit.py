from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import AdminDep
from api.deps import SessionDep
from api.schemas import AuditEventPublic, AuditList
from archive import audit

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[AdminDep])


@router.get("", response_model=AuditList)
def list_audit_events(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditList:
    """The audit trail, latest first: every write and every read of a restricted document (admin only)."""
    return AuditList(events=[AuditEventPublic.of(event) for event in audit.events(session, limit, offset)])

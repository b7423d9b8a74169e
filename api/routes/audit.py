"""`GET /audit`: who read which restricted documents, and who changed what (admins only)."""

from fastapi import APIRouter

from api.auth import AdminDep
from api.deps import SessionDep
from api.params import Limit, Offset
from api.responses import EDITOR
from api.schemas import AuditEventPublic, AuditList
from archive import audit

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[AdminDep])


@router.get("", response_model=AuditList, responses=EDITOR)
def list_audit_events(
    session: SessionDep,
    offset: Offset = 0,
    limit: Limit = 100,
) -> AuditList:
    """The audit trail, latest first: every write and every read of a restricted document (admin only)."""
    return AuditList(events=[AuditEventPublic.of(event) for event in audit.events(session, limit, offset)])

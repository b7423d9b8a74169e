"""The audit trail: an append-only record of every write and of every read of a restricted document."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from archive.db import session_scope
from archive.models import AuditEvent


def add(
    session: Session,
    actor: str,
    action: str,
    target_kind: str | None = None,
    target_id: object = None,
    detail: str | None = None,
) -> None:
    """Record an event in the caller's transaction (it is written together with the change it describes)."""
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            target_kind=target_kind,
            target_id=None if target_id is None else str(target_id),
            detail=detail,
        )
    )


def record(
    engine: Engine,
    actor: str,
    action: str,
    target_kind: str | None = None,
    target_id: object = None,
    detail: str | None = None,
) -> None:
    """Record an event in a transaction of its own (for reads, whose sessions write nothing)."""
    with session_scope(engine) as session:
        add(session, actor, action, target_kind, target_id, detail)


def events(session: Session, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    """The latest events first."""
    return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)).all())

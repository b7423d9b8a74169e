"""Refused API keys, counted in the database so that every server process sees the same count.

A client is limited by the address it calls from and by the key prefix it presents (the first 11 characters), each
counted on its own: rotating addresses with one key, or keys from one address, both run into the limit. A valid key
is never limited (the caller checks it first): a client behind the same address cannot lock its users out.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from archive.db import session_scope
from archive.models import RefusedKey, utcnow

PREFIX_CHARS = 11  # "ra_" and 8 characters: what `archive keys revoke` takes, and what a refusal is counted by


def key_prefix(key: str) -> str:
    return key.strip()[:PREFIX_CHARS]


def retry_after(engine: Engine, address: str, prefix: str, limit: int, window_s: float) -> int | None:
    """Seconds until a client with this address and key prefix may try again; None when it may now."""
    since = utcnow() - timedelta(seconds=window_s)
    waits = []
    with Session(engine) as session:
        for column, value in ((RefusedKey.address, address), (RefusedKey.prefix, prefix)):
            recent = select(func.count(), func.min(RefusedKey.at)).where(col(column) == value, RefusedKey.at > since)
            count, oldest = session.exec(recent).one()
            if count >= limit and oldest is not None:
                waits.append((oldest - since).total_seconds())
    return max(1, math.ceil(max(waits))) if waits else None


def record(engine: Engine, address: str, prefix: str, window_s: float) -> None:
    """Count one refused key (and forget those older than the window)."""
    now = utcnow()
    with session_scope(engine) as session:
        session.exec(delete(RefusedKey).where(col(RefusedKey.at) <= now - timedelta(seconds=window_s)))
        session.add(RefusedKey(at=now, address=address[:100], prefix=prefix))


def forget(engine: Engine) -> None:
    """Clear the count."""
    with session_scope(engine) as session:
        session.exec(delete(RefusedKey))

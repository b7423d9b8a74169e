"""Who is calling: `Authorization: Bearer KEY` → a user (archive.users); no header → an anonymous reader.

An unknown, expired or revoked key → 401; more than `MAX_FAILURES` refused keys a minute from one client → 429 with
`Retry-After`. `ARCHIVE_EDITOR_TOKEN`, when set, is accepted as an editor's key (actor `editor-token`), compared in
constant time. `EditorDep` and `AdminDep` guard routes: anonymous → 401, a lower role → 403.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from api.deps import ServicesDep
from api.services import Services
from archive.access import ANONYMOUS, Caller, Role
from archive.errors import AuthenticationError
from archive.users import authenticate

EDITOR_TOKEN_ACTOR = "editor-token"
MAX_FAILURES = 10
WINDOW_S = 60.0
BEARER = {"WWW-Authenticate": "Bearer"}


class FailedKeys:
    """Refused keys per client over the last minute (in this process)."""

    def __init__(self, limit: int = MAX_FAILURES, window_s: float = WINDOW_S) -> None:
        self._limit, self._window = limit, window_s
        self._times: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._times[client]
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times:
            del self._times[client]
        return times

    def retry_after(self, client: str) -> int | None:
        """Seconds until this client may try again, or None when it may now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            if len(times) < self._limit:
                return None
            return max(1, math.ceil(times[0] + self._window - now))

    def failed(self, client: str) -> None:
        with self._lock:
            self._times[client].append(time.monotonic())


def _failed_keys(request: Request) -> FailedKeys:
    """The app's record of refused keys (one per app, created on first use)."""
    state = request.app.state
    if not hasattr(state, "failed_keys"):
        state.failed_keys = FailedKeys()
    return state.failed_keys


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_caller(request: Request, services: ServicesDep) -> Caller:
    header = request.headers.get("authorization", "")
    if not header.strip():
        return ANONYMOUS
    client, failures = _client(request), _failed_keys(request)
    wait = failures.retry_after(client)
    if wait is not None:
        raise HTTPException(429, "too many refused keys: try again later", headers={"Retry-After": str(wait)})
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        failures.failed(client)
        raise HTTPException(401, "use Authorization: Bearer <key>", headers=BEARER)
    try:
        return caller_for_key(services, key)
    except AuthenticationError as error:
        failures.failed(client)
        raise HTTPException(401, str(error), headers=BEARER) from None


def caller_for_key(services: Services, key: str) -> Caller:
    """Who a key belongs to (the editor token, or a user); AuthenticationError for a refused key."""
    configured = services.settings.editor_token
    if configured and hmac.compare_digest(key.encode(), configured.encode()):
        return Caller(name=EDITOR_TOKEN_ACTOR, role=Role.editor)
    with Session(services.engine) as session:
        return authenticate(session, key)


CallerDep = Annotated[Caller, Depends(get_caller)]


def _require(caller: Caller, role: Role) -> Caller:
    if caller.role is None:
        raise HTTPException(401, f"this needs an {role.value}'s key: Authorization: Bearer <key>", headers=BEARER)
    if not caller.at_least(role):
        raise HTTPException(403, f"this needs the role {role.value} or higher; yours is {caller.role.value}")
    return caller


def require_editor(caller: CallerDep) -> Caller:
    return _require(caller, Role.editor)


def require_admin(caller: CallerDep) -> Caller:
    return _require(caller, Role.admin)


EditorDep = Depends(require_editor)
AdminDep = Depends(require_admin)
EditorCallerDep = Annotated[Caller, EditorDep]
AdminCallerDep = Annotated[Caller, AdminDep]


def require_user(caller: CallerDep) -> Caller:
    """Any signed-in caller (a user's key); anonymous → 401."""
    if caller.role is None:
        raise HTTPException(401, "this needs a user's key: Authorization: Bearer <key>", headers=BEARER)
    return caller


UserCallerDep = Annotated[Caller, Depends(require_user)]

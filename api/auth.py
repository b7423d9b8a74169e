"""Who is calling: `Authorization: Bearer KEY` → a user (archive.users); no header → an anonymous reader.

An unknown, expired or revoked key → 401, with one message for all three; past `MAX_FAILURES` refused keys a minute
from one address, or with one key prefix, → 429 with `Retry-After` (counted in the database: every process
shares the count; see archive.refused_keys). A valid key is never limited. `ARCHIVE_EDITOR_TOKEN`, when set, is
accepted as an editor's key (actor `editor-token`), compared in constant time. `EditorDep` and `AdminDep` guard
routes: anonymous → 401, a lower role → 403.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from api.deps import ServicesDep
from api.services import Services
from archive import refused_keys
from archive.access import ANONYMOUS, Caller, Role
from archive.errors import AuthenticationError
from archive.users import authenticate

EDITOR_TOKEN_ACTOR = "editor-token"
MAX_FAILURES = 10
WINDOW_S = 60.0
BEARER = {"WWW-Authenticate": "Bearer"}


REFUSED = "the API key is not valid (unknown, expired or revoked)"  # one answer: a key's state is not told


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refused(services: Services, request: Request, key: str, message: str = REFUSED) -> HTTPException:
    """Count a refused key by address and key prefix (in the database, shared by every process): 429 past the
    limit, else 401."""
    engine, address, prefix = services.engine, _client(request), refused_keys.key_prefix(key)
    wait = refused_keys.retry_after(engine, address, prefix, MAX_FAILURES, WINDOW_S)
    refused_keys.record(engine, address, prefix, WINDOW_S)
    if wait is not None:
        return HTTPException(429, "too many refused keys: try again later", headers={"Retry-After": str(wait)})
    return HTTPException(401, message, headers=BEARER)


def get_caller(request: Request, services: ServicesDep) -> Caller:
    header = request.headers.get("authorization", "")
    if not header.strip():
        return ANONYMOUS
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise _refused(services, request, key, "use Authorization: Bearer <key>")
    return caller_of_key(request, services, key)


def caller_of_key(request: Request, services: Services, key: str) -> Caller:
    """Who a key sent with the request belongs to (in its header, or typed into a page's form); a refused key is
    counted like any other (401, or 429 past the limit)."""
    try:
        return caller_for_key(services, key)
    except AuthenticationError:
        raise _refused(services, request, key) from None


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

"""Who may write: uploads need `Authorization: Bearer <ARCHIVE_EDITOR_TOKEN>`.

No header → 401; a wrong token → 403; no token configured on the server → 403 as well (writes are refused, the
message says how to enable them). Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac

from fastapi import Depends, HTTPException, Request

from api.deps import ServicesDep


def require_editor(request: Request, services: ServicesDep) -> None:
    configured = services.settings.editor_token
    if not configured:
        raise HTTPException(403, "uploads are disabled: the server has no editor token (set ARCHIVE_EDITOR_TOKEN)")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401, "an editor token is needed: Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"}
        )
    if not hmac.compare_digest(token.strip().encode(), configured.encode()):
        raise HTTPException(403, "the editor token is not valid")


EditorDep = Depends(require_editor)

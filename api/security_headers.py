"""Security headers on every response: scripts, styles and everything else from this server only, no framing.

The pages' one script is a static file (no inline script, no inline event handler); icons may be `data:` images.
ReDoc (`/redoc`) injects its styles inline and runs its search in a `blob:` worker: its page alone allows those.
An answer to a request with a key may hold what only that key opens (internal and restricted documents, jobs, the
audit trail): it is never stored by a browser or a proxy (`Cache-Control: no-store`).
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "default-src 'self'; img-src 'self' data:; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
REDOC_CSP = CSP + "; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


PRIVATE = {"Cache-Control": "no-store", "Vary": "Authorization"}


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response (errors and static files included)."""

    def __init__(self, app: ASGIApp, policies: dict[str, str] | None = None) -> None:
        self.app = app
        self.policies = policies or {}  # path → its own Content-Security-Policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, root = scope["path"], scope.get("root_path", "")
        policy = self.policies.get(path.removeprefix(root) if root else path, CSP)
        keyed = any(name == b"authorization" for name, _ in scope.get("headers", []))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if keyed:
                    headers.update(PRIVATE)
            await send(message)

        await self.app(scope, receive, send_with_headers)

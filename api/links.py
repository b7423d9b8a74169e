"""Links the server hands out, never built from a request's Host header (which any client can set).

Absolute links (exports, copied citations) start with `ARCHIVE_PUBLIC_URL` when it is set, else with the address
the server listens on, its scheme as a trusted proxy states it (`archive serve --proxy-headers`) and the
`--root-path`. Links inside the pages are paths under the root path.
"""

from typing import Any

import jinja2
from starlette.datastructures import URL
from starlette.requests import Request

DEFAULT_PORTS = {"http": 80, "https": 443}


def public_base(request: Request) -> str:
    """The URL every absolute link starts with, without a trailing slash."""
    configured = request.app.state.services.settings.public_url
    if configured:
        return configured
    scheme = request.scope.get("scheme", "http")
    host, port = request.scope.get("server") or ("127.0.0.1", 8000)
    host = f"[{host}]" if ":" in host else host
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return f"{scheme}://{netloc}{request.scope.get('root_path', '')}"


def path_for(request: Request, name: str, /, **params: Any) -> URL:
    """The path of a named route under the root path (for links inside the pages)."""
    return URL(request.scope.get("root_path", "") + request.app.url_path_for(name, **params))


def public_url_for(request: Request, name: str, /, **params: Any) -> URL:
    """The absolute URL of a named route, for links that leave the page (exports, copied citations)."""
    return URL(public_base(request) + request.app.url_path_for(name, **params))


@jinja2.pass_context
def template_url_for(context: dict, name: str, /, **params: Any) -> URL:
    """`url_for` in the templates: a path, not an absolute URL built from the Host header."""
    return path_for(context["request"], name, **params)

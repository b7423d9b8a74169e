"""The MCP server over the streamable HTTP transport at `/mcp` of the API: one key per request, as every route.

The key is checked before the request reaches the transport, with the same rules as the API (401 for a refused key,
429 after too many); the caller rides in the request's state to the tool. Stateless (JSON answers, no sessions), so
any of several API processes can answer any request.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.transport_security import TransportSecuritySettings
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api.auth import get_caller
from api.links import public_base
from api.mcp_tools import Invocation, build_server

PATH = "/mcp"
CALLER_STATE = "archive_caller"


def _invocation(ctx: Context) -> Invocation:
    request = ctx.request_context.request
    if not isinstance(request, Request):
        raise RuntimeError("the HTTP transport hands every tool call its request")
    return Invocation(request.app.state.services, request.scope["state"][CALLER_STATE], public_base(request))


def http_server() -> MCPServer:
    """A new MCP server with its streamable HTTP session manager (whose `run()` the app's lifespan enters)."""
    server = build_server(_invocation)
    # Keys, not cookies or the client's address, decide what a request may read: a page that rebinds a name to
    # this server gains nothing a stranger could not read, so any Host may reach it (behind a proxy too).
    server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    return server


class McpEndpoint:
    """The ASGI app at /mcp: checks the key like every route, then hands the request to the MCP transport."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            caller = await run_in_threadpool(get_caller, request, request.app.state.services)
        except HTTPException as error:
            refused = JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)
            await refused(scope, receive, send)
            return
        scope.setdefault("state", {})[CALLER_STATE] = caller
        await request.app.state.mcp.session_manager.handle_request(scope, receive, send)


def install_mcp(app: FastAPI) -> None:
    """Serve the MCP transport at /mcp (left out of the OpenAPI schema: it speaks JSON-RPC, not REST)."""
    app.router.routes.append(Route(PATH, McpEndpoint(), methods=["GET", "POST", "DELETE"], include_in_schema=False))

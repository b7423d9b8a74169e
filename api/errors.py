"""Errors → HTTP answers, in one place: JSON `{"detail": ...}` for the API, the error page for the web pages.

A domain error answers with the status it carries (`ArchiveError.status`); anything else is a 500 whose details go
to the server log, never to the client.
"""

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from api.rendering import TEMPLATES
from archive.errors import ArchiveError

log = logging.getLogger(__name__)

INTERNAL_ERROR = "internal error; the server log has the details"


def wants_page(request: Request) -> bool:
    """Whether the request was routed to a web page (an HTML route) rather than to the JSON API; a path that no
    route serves answers a browser's navigation (which asks for HTML) with the error page too."""
    route = request.scope.get("route")
    if route is None:
        return "text/html" in request.headers.get("accept", "")
    return getattr(route, "response_class", None) is HTMLResponse


def error_response(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """The error as the client of this route reads it: the error page for a web page, JSON for the API."""
    if not wants_page(request):
        return JSONResponse(status_code=status, content={"detail": message}, headers=headers)
    title = HTTPStatus(status).phrase
    context = {"title": title, "message": message}
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ArchiveError)
    async def archive_error(request: Request, error: ArchiveError) -> Response:
        if error.status >= 500:
            log.error("%s on %s %s: %s", type(error).__name__, request.method, request.url.path, error)
        return error_response(request, error.status, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if not wants_page(request):
            return await request_validation_exception_handler(request, error)
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in error.errors())
        return error_response(request, 422, problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if not wants_page(request):
            return await http_exception_handler(request, error)
        return error_response(request, error.status_code, str(error.detail), error.headers)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, INTERNAL_ERROR)

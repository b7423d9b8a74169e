"""The error answers each route can give, for the OpenAPI schema: `responses=` dicts to merge into a route.

Every error body is `{"detail": ...}` (see api/errors.py); 422 (invalid parameters) is added by FastAPI itself to
every route with parameters.
"""

from typing import Any

from pydantic import BaseModel

Responses = dict[int | str, dict[str, Any]]


class ErrorMessage(BaseModel):
    """What went wrong, for a person."""

    detail: str


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorMessage, "description": description}


def responses(*statuses: int) -> Responses:
    """The documented answers for these error statuses."""
    return {status: ERRORS[status] for status in statuses}


ERRORS: Responses = {
    400: _error("Malformed request: a bad filter, an empty query, a malformed upload"),
    401: _error("A key is needed, or the key given is unknown, expired or revoked"),
    403: _error("The key may not do this (or writes are disabled on this server)"),
    404: _error("The record does not exist"),
    409: _error("The archive was built by another embedder"),
    413: _error("The upload is larger than the server's limit"),
    415: _error("The file type is not supported (.pdf, .txt, .md), or the body is not multipart/form-data"),
    429: _error("Too many requests with wrong keys: wait and try again"),
}

CALLER = responses(401, 429)  # every route that reads the caller's key: a refused key, too many refused keys
EDITOR = responses(401, 403, 429)  # routes behind EditorDep
NOT_FOUND = responses(404)
SEARCH = responses(400, 404, 409)  # a filter naming nobody or no document; an index from another embedder

"""Errors carry their HTTP status; one handler answers JSON to the API and the error page to the web pages."""

import logging

import pytest
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import INTERNAL_ERROR
from archive.errors import (
    ArchiveError,
    EmbedderMismatchError,
    ExtractionError,
    InvalidInputError,
    NotFoundError,
    ParserFailureError,
)
from indexing.jobs import UploadTooLarge
from indexing.vector_index import VectorIndexError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFoundError, 404),
        (InvalidInputError, 400),
        (ExtractionError, 422),
        (ParserFailureError, 422),
        (EmbedderMismatchError, 409),
        (UploadTooLarge, 413),
        (ArchiveError, 500),  # names no client mistake: the server's
        (VectorIndexError, 500),
    ],
)
def test_each_domain_error_carries_its_status(error, status):
    assert error("x").status == status


def _raise(error: Exception):
    def endpoint():
        raise error

    return endpoint


@pytest.fixture
def client(fake_services):
    app = create_app(services=fake_services)
    app.add_api_route("/api-broken", _raise(ArchiveError("the vector index is unreadable")))
    app.add_api_route("/api-crash", _raise(RuntimeError("secret internals")))
    app.add_api_route("/page-crash", _raise(RuntimeError("secret internals")), response_class=HTMLResponse)
    app.add_api_route("/page-missing", _raise(NotFoundError("no such thing")), response_class=HTMLResponse)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_api_errors_are_json_with_the_errors_status(client):
    missing = client.get("/documents/999")
    assert missing.status_code == 404 and missing.json() == {"detail": "document 999 does not exist"}
    unmapped = client.get("/api-broken")
    assert unmapped.status_code == 500 and unmapped.json() == {"detail": "the vector index is unreadable"}
    invalid = client.get("/documents/abc")
    assert invalid.status_code == 422 and invalid.headers["content-type"] == "application/json"


def test_an_unexpected_error_is_a_500_whose_details_go_to_the_log_only(client, caplog):
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        response = client.get("/api-crash")
    assert response.status_code == 500 and response.json() == {"detail": INTERNAL_ERROR}
    assert "secret" not in response.text
    [record] = [r for r in caplog.records if r.name == "api.errors"]
    assert "GET /api-crash" in record.getMessage() and record.exc_info[0] is RuntimeError


def test_page_errors_are_the_error_page_with_the_errors_status(client):
    crash = client.get("/page-crash")
    assert crash.status_code == 500 and crash.headers["content-type"].startswith("text/html")
    assert "Internal Server Error" in crash.text and INTERNAL_ERROR in crash.text and "secret" not in crash.text
    missing = client.get("/page-missing")
    assert missing.status_code == 404 and "no such thing" in missing.text and "<h1>Not Found</h1>" in missing.text
    invalid = client.get("/read/abc")
    assert invalid.status_code == 422 and invalid.headers["content-type"].startswith("text/html")
    assert "document_id" in invalid.text

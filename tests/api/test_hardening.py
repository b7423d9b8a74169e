"""The API and the pages hold up against bad input and hostile clients: ids and numbers out of range or in other
scripts' digits are 4xx, every status is documented, security headers are on every response, links never come
from the Host header, page errors are HTML, jobs are for editors, unsupported uploads are refused before storing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from fastapi import HTTPException
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.cli import cli
from api.services import Services
from archive.models import IngestJob
from tests.fakes import small_archive

TOKEN = "hardening-editor-token"
EDITOR = {"Authorization": f"Bearer {TOKEN}"}
TOO_BIG = "9223372036854775808"  # 2^63: one more than SQLite's largest integer
LARGEST = "9223372036854775807"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with small_archive(tmp_path_factory.mktemp("hardening"), editor_token=TOKEN, max_upload_mb=1) as services:
        yield services


@pytest.fixture(scope="module")
def client(services: Services) -> Iterator[TestClient]:
    app = create_app(services=services)

    def refused() -> None:
        raise HTTPException(403, "not for you")

    app.add_api_route("/page-refused", refused, response_class=HTMLResponse, include_in_schema=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _is_page(response) -> bool:
    return response.headers["content-type"].startswith("text/html") and "<!doctype html>" in response.text


@pytest.mark.parametrize(
    "url",
    [
        f"/documents/{TOO_BIG}",
        f"/documents/{TOO_BIG}/text",
        f"/documents/{TOO_BIG}/file",
        f"/passages/{TOO_BIG}",
        f"/persons/{TOO_BIG}",
        f"/jobs/{TOO_BIG}",
        f"/documents?offset={TOO_BIG}",
        f"/jobs?offset={TOO_BIG}",
        f"/search?q=court&document_id={TOO_BIG}",
        f"/search?q=court&offset={TOO_BIG}",
        f"/search?q=court&page={TOO_BIG}",
        "/documents/³",
        "/documents?limit=³",
        "/documents?offset=٣",
        "/search?q=court&k=³",
        "/search?q=court&k=+5",
        "/search?q=court&document_id=１",
        "/persons?limit=³",
    ],
)
def test_ids_and_numbers_out_of_range_or_not_in_ascii_digits_are_422(client, url):
    response = client.get(url, headers=EDITOR)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("url", ["/documents/", "/documents/{}/text", "/passages/", "/persons/", "/jobs/"])
def test_the_largest_id_is_a_plain_404(client, url):
    url = url.format(LARGEST) if "{}" in url else url + LARGEST
    response = client.get(url, headers=EDITOR)
    assert response.status_code == 404 and "does not exist" in response.json()["detail"]


def test_a_person_filter_in_other_digits_or_too_large_finds_nobody(client):
    for person in ("³", "٣", "99999999999999999999999", LARGEST):
        response = client.get("/search", params={"q": "court", "person": person})
        assert response.status_code == 404, (person, response.text)


def test_an_empty_person_filter_is_no_filter(client):
    unfiltered = client.get("/search", params={"q": "court sentenced"}).json()
    for person in ("", "  "):
        response = client.get("/search", params={"q": "court sentenced", "person": person})
        assert response.status_code == 200 and response.json()["results"] == unfiltered["results"]
    assert unfiltered["results"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/?q=court&k=³", 400),
        ("/?q=court&k=0", 400),
        (f"/?q=court&page={TOO_BIG}", 400),  # beyond the last page a search can reach
        ("/?q=court&page=٣", 400),
        (f"/?q=court&document_id={TOO_BIG}", 400),
        ("/?q=court&person=³", 404),
        ("/check?quote=court&k=³", 400),
        ("/read/³", 422),
        (f"/read/{TOO_BIG}", 422),
        (f"/read/1?passage={TOO_BIG}", 422),
        (f"/read/{LARGEST}", 404),
        (f"/people/{TOO_BIG}", 422),
        ("/page-refused", 403),
    ],
)
def test_web_pages_answer_bad_input_and_http_errors_with_the_html_error_page(client, url, status):
    response = client.get(url)
    assert response.status_code == status, response.text[:300]
    assert _is_page(response)
    assert "Traceback" not in response.text


def test_a_path_no_route_serves_is_the_error_page_for_a_browser_and_json_for_the_api(client):
    browser = client.get("/no-such-page", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 404 and _is_page(browser)
    api = client.get("/no-such-page")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_every_error_status_a_route_gives_is_in_the_schema(client):
    paths = client.get("/openapi.json").json()["paths"]

    def statuses(path: str, method: str = "get") -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"202", "400", "401", "403", "413", "415", "429"} <= statuses("/documents", "post")
    for path in ("/jobs", "/jobs/progress", "/jobs/{job_id}"):
        assert {"401", "403", "429"} <= statuses(path), path
    for path in ("/documents/{document_id}", "/documents/{document_id}/file", "/passages/{passage_id}"):
        assert {"404", "422"} <= statuses(path), path
    assert {"400", "404", "422"} <= statuses("/search") and {"400", "404"} <= statuses("/search/export")
    error = paths["/passages/{passage_id}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorMessage"}
    document_id = paths["/documents/{document_id}"]["get"]["parameters"][0]["schema"]
    assert (document_id["minimum"], document_id["maximum"]) == (1, 2**63 - 1)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
PAGES = [
    "/",
    "/?q=court",
    "/check?quote=court",
    "/people",
    "/people/1",
    "/read/1?passage=1",
    "/ingest",
    "/docs",
    "/redoc",
]


@pytest.mark.parametrize(
    "url", [*PAGES, "/health", "/openapi.json", "/documents/1/file", "/static/app.js", "/nowhere", "/read/999"]
)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code < 500
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # scripts fall back to default-src: this server only, nothing inline
    assert ("'unsafe-inline'" in policy) == (url == "/redoc")  # ReDoc's own styles, on its page only
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_and_load_everything_from_this_server(client, url):
    html = client.get(url).text
    assert not INLINE_SCRIPT.search(html)
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers
    for asset in re.findall(r'(?:src|href)="([^"#]+\.(?:js|css|png))"', html):
        assert asset.startswith("/"), asset  # never a CDN: /docs works offline
        assert client.get(asset).status_code == 200, asset


def test_links_never_come_from_the_host_header(client):
    evil = {"Host": "evil.example"}
    export = client.get("/search/export", params={"q": "court", "format": "csv"}, headers=evil)
    assert export.status_code == 200 and "/read/" in export.text and "evil.example" not in export.text
    for url in ("/?q=court", "/read/1?passage=1", "/check?quote=court", "/ingest"):
        page = client.get(url, headers=evil)
        assert page.status_code == 200 and "evil.example" not in page.text, url


def test_links_start_with_the_public_url_or_the_root_path(services):
    services.settings.public_url = "https://archive.example.org/rights"
    try:
        with TestClient(create_app(services=services)) as client:
            export = client.get("/search/export", params={"q": "court", "format": "csv"}, headers={"Host": "x.test"})
            assert "https://archive.example.org/rights/read/" in export.text
            page = client.get("/", params={"q": "court"})
            assert 'class="citation-text"' in page.text and "https://archive.example.org/rights/read/" in page.text
    finally:
        services.settings.public_url = None
    with TestClient(create_app(services=services), root_path="/archive") as client:
        page = client.get("/archive/", params={"q": "court"})
        assert 'href="/archive/read/' in page.text and 'src="/archive/static/app.js"' in page.text
        export = client.get("/archive/search/export", params={"q": "court", "format": "csv"})
        assert "http://testserver/archive/read/" in export.text
        docs = client.get("/archive/docs").text
        assert 'src="/archive/static-offline-docs/swagger-ui-bundle.js"' in docs and "/archive/openapi.json" in docs
        assert "'unsafe-inline'" in client.get("/archive/redoc").headers["content-security-policy"]


def test_jobs_are_for_editors_and_the_ingest_page_lists_none(client, services):
    accepted = client.post(
        "/documents", files={"file": ("witness-Aigerim.txt", b"Statement\n\nA text.\n")}, headers=EDITOR
    )
    assert accepted.status_code == 202
    job = accepted.json()["job_id"]
    for url in ("/jobs", f"/jobs/{job}", "/jobs/progress"):
        assert client.get(url).status_code == 401, url
        assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401, url
        assert client.get(url, headers=EDITOR).status_code == 200, url
    assert any(j["filename"] == "witness-Aigerim.txt" for j in client.get("/jobs", headers=EDITOR).json()["jobs"])
    page = client.get("/ingest")
    assert page.status_code == 200 and "witness-Aigerim" not in page.text


def _jobs(services: Services) -> int:
    with Session(services.engine) as session:
        return len(session.exec(select(IngestJob)).all())


def _stored(services: Services) -> set[str]:
    return {path.name for path in services.settings.files_dir.rglob("*") if path.is_file()}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("slides.pptx", b"PK\x03\x04" + b"\x00" * 64),
        ("photo.jpg", b"GIF89a" + b"\x00" * 64),
        ("statement.docx", b"%PDF-1.7\n" + b"x" * 64),
        ("program", b"\x7fELF" + b"\x00" * 64),
        ("notes.txt", b"%PDF-1.7\n" + b"x" * 64),
        ("notes.md", b"PK\x03\x04 zipped"),
        ("notes.txt", b"text with a \x00 byte"),
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ],
)
def test_unsupported_file_types_are_refused_with_415_before_anything_is_stored(client, services, name, content):
    jobs, stored = _jobs(services), _stored(services)
    response = client.post("/documents", files={"file": (name, content)}, headers=EDITOR)
    assert response.status_code == 415, response.text
    assert ".pdf, .txt, .md, .html" in response.json()["detail"]
    assert (_jobs(services), _stored(services)) == (jobs, stored)


def test_a_damaged_file_of_a_supported_type_is_still_a_job_that_fails(client, services):
    response = client.post("/documents", files={"file": ("fake.pdf", b"this is not really a PDF")}, headers=EDITOR)
    assert response.status_code == 202


def test_serve_passes_the_proxy_options_to_uvicorn(tmp_path, monkeypatch):
    import uvicorn

    import indexing.threads

    calls: list[tuple[object, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setattr(indexing.threads, "limit_threads", lambda threads: None)
    arguments = ["--data-dir", str(tmp_path), "serve", "--proxy-headers", "--forwarded-allow-ips", "10.0.0.1"]
    arguments += ["--root-path", "/archive/", "--public-url", "https://archive.example.org/archive/"]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    [(_, options)] = calls
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == "10.0.0.1"
    assert options["root_path"] == "/archive"
    plain = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve"])
    assert plain.exit_code == 0 and calls[1][1]["proxy_headers"] is False  # no forwarded header trusted unasked
    wrong = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve", "--public-url", "archive.example.org"])
    assert wrong.exit_code == 2 and "http" in wrong.output

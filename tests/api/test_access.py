"""Who may see what, over HTTP: the leak test (every read endpoint, anonymous, against a restricted document),
roles on every write route, keys, visibility changes and the audit trail.

A small archive with the fake embedder: a public court report, an internal memo and a restricted witness statement
whose words and person name appear nowhere else.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.services import Services
from archive import refused_keys
from archive.access import Role, Submission, Visibility
from archive.db import session_scope
from archive.models import ApiKey, AuditEvent, Document, IngestJob, Mention, Passage, Person, utcnow
from archive.settings import Settings
from archive.users import add_user, hash_key
from tests.fakes import FakeEmbedder

SECRET_WORDS = ("zanthrophyle", "Quorvald", "Zymbrixov", "Witness statement of the night")
SECRET_TEXT = (
    "Witness statement of the night\n\n"
    "The activist Quorvald Zymbrixov described the zanthrophyle interrogation in the detention centre. "
    "Quorvald Zymbrixov said the zanthrophyle guards questioned him until morning.\n"
)
PUBLIC_TEXT = (
    "Court report\n\nJudge Aralbai Nagashibayev heard the case of the activist Serik Zhakhin in Almaty. "
    "The court sentenced Serik Zhakhin to five years in a colony settlement.\n"
)
INTERNAL_TEXT = "Staff memo\n\nThe staff discussed the blorptangle schedule for the interviews next week.\n"
MISSING = 987654


@dataclass
class Archive:
    client: TestClient
    services: Services
    keys: dict[str, str]  # user name → key
    public_id: int
    internal_id: int
    secret_id: int
    secret_passage: int
    secret_person: int

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[user]}"}


def _ingest(services: Services, folder: Path, name: str, text: str, submission: Submission) -> int:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    (outcome,) = services.ingestor.ingest([path], submission=submission)
    assert outcome.state.value == "indexed", outcome
    assert outcome.document_id is not None
    return outcome.document_id


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root = tmp_path_factory.mktemp("access")
    services = Services.open(Settings(data_dir=root / "archive", editor_token="legacy-token"), embedder=FakeEmbedder())
    public_id = _ingest(services, root, "report.txt", PUBLIC_TEXT, Submission())
    internal_id = _ingest(services, root, "memo.txt", INTERNAL_TEXT, Submission(visibility=Visibility.internal))
    secret_id = _ingest(
        services, root, "statement.txt", SECRET_TEXT, Submission(visibility=Visibility.restricted, groups=("witness",))
    )
    with session_scope(services.engine) as session:
        keys = {
            name: add_user(session, "test", name, role, groups)
            for name, role, groups in (
                ("ada", Role.admin, []),
                ("eve", Role.editor, []),
                ("rex", Role.researcher, ["witness"]),
                ("val", Role.viewer, []),
            )
        }
        secret_passage = session.exec(select(Passage.id).where(Passage.document_id == secret_id)).first()
        secret_person = session.exec(
            select(Person.id).join(Mention, Mention.person_id == Person.id).where(Mention.passage_id == secret_passage)
        ).first()
    assert secret_passage is not None and secret_person is not None, "the restricted document names a person"
    with TestClient(create_app(services=services)) as client:
        yield Archive(client, services, keys, public_id, internal_id, secret_id, secret_passage, secret_person)
    services.close()


def _leaks(text: str, asked: dict | None = None) -> list[str]:
    """The secret words in a response, leaving out where it repeats what was asked (a query echoed in a form)."""
    for value in (asked or {}).values():
        value = str(value)
        for form in (value, quote_plus(value), quote(value), html.escape(value), json.dumps(value)[1:-1]):
            text = text.replace(form, "")
    return [word for word in SECRET_WORDS if word.lower() in text.lower()]


def _read_requests(archive: Archive, job_id: int = MISSING) -> list[tuple[str, dict]]:
    """Every GET route of the API (from its OpenAPI schema) and every web page, with arguments that would find the
    restricted document if it leaked."""
    ids = {
        "document_id": archive.secret_id,
        "passage_id": archive.secret_passage,
        "person_id": archive.secret_person,
        "job_id": job_id,
        "search_id": MISSING,
    }
    queries = {
        "/search": {"q": "zanthrophyle interrogation Zymbrixov"},
        "/search/export": {"q": "zanthrophyle interrogation Zymbrixov", "format": "json"},
        "/persons": {"q": "Zymbrixov"},
    }
    requests: list[tuple[str, dict]] = []
    for path, operations in archive.client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if "get" in operations:
            requests.append((path.format(**ids), queries.get(path, {})))
    requests += [
        ("/persons", {}),
        ("/", {"q": "zanthrophyle interrogation Zymbrixov"}),
        ("/", {}),
        ("/check", {"quote": "the zanthrophyle guards questioned him until morning"}),
        ("/people", {}),
        ("/people", {"q": "Zymbrixov"}),
        (f"/people/{archive.secret_person}", {}),
        (f"/read/{archive.secret_id}", {}),
        (f"/read/{archive.public_id}", {"passage": archive.secret_passage}),
        ("/search", {"q": "Quorvald Zymbrixov", "person": "Zymbrixov"}),
        ("/search", {"q": "interrogation", "person": str(archive.secret_person)}),
        ("/search", {"q": "interrogation", "document_id": archive.secret_id}),
        ("/", {"q": "interrogation", "document_id": archive.secret_id}),
        ("/", {"q": "interrogation", "person": "Zymbrixov"}),
    ]
    return requests


def test_an_anonymous_reader_finds_no_trace_of_a_restricted_document(archive: Archive) -> None:
    requests = _read_requests(archive)
    assert len({path for path, _ in requests}) >= 15
    for path, params in requests:
        response = archive.client.get(path, params=params)
        assert response.status_code < 500, (path, response.text)
        assert not _leaks(response.text, params), (path, params, _leaks(response.text, params))
    asked = {"quote": "the zanthrophyle guards questioned him"}
    checked = archive.client.post("/quotes/check", json=asked)
    assert checked.status_code == 200 and not _leaks(checked.text, asked)
    assert archive.client.get("/documents").json()["total"] == 1
    health = archive.client.get("/health").json()
    assert health["documents"] == 1 and health["index_vectors"] is None
    assert health["passages"] == archive.client.get(f"/documents/{archive.public_id}").json()["passages"]
    names = [p["name"] for p in archive.client.get("/persons", params={"limit": 500}).json()["persons"]]
    assert names and not _leaks(" ".join(names))  # zero suggestions


def _job_of(archive: Archive, document_id: int) -> int:
    with Session(archive.services.engine) as session:
        job_id = session.exec(select(IngestJob.id).where(IngestJob.document_id == document_id)).first()
    assert job_id is not None
    return job_id


def test_an_editor_outside_the_group_finds_no_trace_of_a_restricted_document_or_its_job(archive: Archive) -> None:
    secret_job = _job_of(archive, archive.secret_id)
    eve, secret_name = archive.auth("eve"), "statement.txt"
    for path, params in _read_requests(archive, secret_job):
        response = archive.client.get(path, params=params, headers=eve)
        assert response.status_code < 500, (path, response.text)
        assert not _leaks(response.text, params) and secret_name not in response.text, (path, params)
    jobs = archive.client.get("/jobs", headers=eve).json()
    assert secret_name not in json.dumps(jobs) and sum(jobs["counts"].values()) == len(jobs["jobs"])
    hidden, missing = (archive.client.get(f"/jobs/{i}", headers=eve) for i in (secret_job, MISSING))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text.replace(str(MISSING), str(secret_job))
    assert secret_name in archive.client.get(f"/jobs/{secret_job}", headers=archive.auth("ada")).text

    # the same bytes under another name: the editor learns it is a duplicate, not of what
    upload = archive.client.post("/documents", files={"file": ("copy.txt", SECRET_TEXT.encode())}, headers=eve)
    assert upload.status_code == 202, upload.text
    job_id = upload.json()["job_id"]
    _wait_for(archive, job_id)
    mine = archive.client.get(f"/jobs/{job_id}", headers=eve).json()
    assert mine["state"] == "duplicate" and mine["document_id"] is None and mine["filename"] == "copy.txt"
    assert secret_name not in mine["reason"] and str(archive.secret_id) not in mine["reason"]
    listed = archive.client.get("/jobs", headers=eve).json()["jobs"]
    assert job_id in {j["id"] for j in listed} and secret_name not in json.dumps(listed)
    seen = archive.client.get(f"/jobs/{job_id}", headers=archive.auth("ada")).json()
    assert seen["document_id"] == archive.secret_id and secret_name in seen["reason"]


def test_answers_that_a_key_opens_are_never_cached(archive: Archive) -> None:
    rex = archive.auth("rex")
    for path in (
        f"/documents/{archive.secret_id}",
        f"/documents/{archive.secret_id}/text",
        f"/documents/{archive.secret_id}/file",
        f"/passages/{archive.secret_passage}",
        f"/persons/{archive.secret_person}",
        f"/read/{archive.secret_id}",
        "/documents",
    ):
        response = archive.client.get(path, headers=rex)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
        assert "authorization" in response.headers["vary"].lower(), path
    searched = archive.client.get("/search/export", params={"q": "zanthrophyle", "format": "csv"}, headers=rex)
    assert "zanthrophyle" in searched.text and searched.headers["cache-control"] == "no-store"
    assert archive.client.get("/jobs", headers=archive.auth("ada")).headers["cache-control"] == "no-store"
    assert "no-store" not in archive.client.get(f"/documents/{archive.public_id}").headers.get("cache-control", "")


def test_restricted_ids_answer_exactly_like_missing_ids(archive: Archive) -> None:
    hidden = {
        "/documents/{}": archive.secret_id,
        "/documents/{}/text": archive.secret_id,
        "/documents/{}/file": archive.secret_id,
        "/passages/{}": archive.secret_passage,
        "/persons/{}": archive.secret_person,
        "/read/{}": archive.secret_id,
        "/people/{}": archive.secret_person,
    }
    for template, restricted in hidden.items():
        seen = archive.client.get(template.format(restricted))
        missing = archive.client.get(template.format(MISSING))
        assert seen.status_code == missing.status_code == 404, template
        assert seen.text == missing.text.replace(str(MISSING), str(restricted)), template
    for params in ({"document_id": archive.secret_id}, {"person": str(archive.secret_person)}):
        seen = archive.client.get("/search", params={"q": "interrogation", **params})
        key = next(iter(params))
        missing = archive.client.get("/search", params={"q": "interrogation", key: str(MISSING)})
        assert seen.status_code == missing.status_code == 404
        assert seen.text == missing.text.replace(str(MISSING), str(params[key]))


def _search_ids(archive: Archive, query: str, headers: dict[str, str]) -> set[int]:
    response = archive.client.get("/search", params={"q": query}, headers=headers)
    assert response.status_code == 200, response.text
    return {hit["document"]["id"] for hit in response.json()["results"]}


def test_each_caller_sees_what_their_role_and_groups_allow(archive: Archive) -> None:
    for user, expected in (
        (None, {archive.public_id}),
        ("val", {archive.public_id, archive.internal_id}),
        ("rex", {archive.public_id, archive.internal_id, archive.secret_id}),
        ("ada", {archive.public_id, archive.internal_id, archive.secret_id}),
        ("eve", {archive.public_id, archive.internal_id}),  # an editor outside the group does not read it
    ):
        headers = archive.auth(user) if user else {}
        listed = {d["id"] for d in archive.client.get("/documents", headers=headers).json()["documents"]}
        assert listed == expected, user
        found = _search_ids(archive, "zanthrophyle blorptangle colony", headers)
        assert found <= expected and (archive.secret_id in found) == (archive.secret_id in expected), user
    person = archive.client.get(f"/persons/{archive.secret_person}", headers=archive.auth("rex"))
    assert person.status_code == 200 and person.json()["mentions"] >= 1


def test_every_write_route_needs_a_role(archive: Archive) -> None:
    writes = [
        (method, path)
        for path, operations in archive.client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in operations
        if method in ("post", "put", "patch", "delete") and path != "/quotes/check"  # a read sent as POST
    ]
    assert ("post", "/documents") in writes and ("patch", "/documents/{document_id}") in writes
    for method, path in writes:
        url = path.format(document_id=archive.public_id, search_id=MISSING, person_id=MISSING)
        anonymous = archive.client.request(method, url, json={})
        assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer", (method, path)
        if path.startswith("/saved-searches"):
            continue  # any user's own: for users of every role
        for user in ("val", "rex"):
            assert archive.client.request(method, url, json={}, headers=archive.auth(user)).status_code == 403
    assert archive.client.get("/audit").status_code == 401
    assert archive.client.get("/audit", headers=archive.auth("eve")).status_code == 403
    assert archive.client.get("/audit", headers=archive.auth("ada")).status_code == 200


def _wait_for(archive: Archive, job_id: int, timeout: float = 60) -> None:
    """Until the server's worker has processed the job."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if archive.client.get(f"/jobs/{job_id}", headers=archive.auth("ada")).json()["state"] not in (
            "queued",
            "running",
        ):
            return
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_an_upload_applies_the_requested_visibility_and_is_audited(archive: Archive) -> None:
    response = archive.client.post(
        "/documents",
        files={"file": ("upload.txt", b"Upload note\n\nThe glimmerquartz ledger of the hearing.\n")},
        data={"visibility": "restricted", "group": ["witness", "lawyers"]},
        headers=archive.auth("eve"),
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    _wait_for(archive, job_id)
    with Session(archive.services.engine) as session:
        document = session.exec(select(Document).where(Document.source == "upload.txt")).one()
        events = session.exec(select(AuditEvent).where(AuditEvent.actor == "eve")).all()
    assert document.visibility == "restricted"
    assert {(e.action, e.target_id) for e in events} >= {("upload", str(job_id)), ("ingest", str(document.id))}
    assert document.id not in _search_ids(archive, "glimmerquartz ledger", {})
    assert document.id in _search_ids(archive, "glimmerquartz ledger", archive.auth("rex"))
    bad = archive.client.post(
        "/documents", files={"file": ("x.txt", b"x")}, data={"visibility": "secret"}, headers=archive.auth("eve")
    )
    assert bad.status_code == 400 and "visibility" in bad.json()["detail"]


def test_changing_visibility_takes_effect_at_once_and_is_audited(archive: Archive) -> None:
    path = f"/documents/{archive.internal_id}"
    assert archive.client.get(path).status_code == 404
    changed = archive.client.patch(path, json={"visibility": "public"}, headers=archive.auth("eve"))
    assert changed.status_code == 200 and changed.json()["visibility"] == "public"
    assert archive.client.get(path).status_code == 200
    assert archive.internal_id in _search_ids(archive, "blorptangle schedule", {})
    restored = archive.client.patch(path, json={"visibility": "internal"}, headers=archive.auth("ada"))
    assert restored.status_code == 200 and archive.client.get(path).status_code == 404
    assert archive.internal_id not in _search_ids(archive, "blorptangle schedule", {})
    assert archive.client.patch(path, json={"visibility": "nobody"}, headers=archive.auth("ada")).status_code == 422
    events = archive.client.get("/audit", headers=archive.auth("ada")).json()["events"]
    changes = [e for e in events if e["action"] == "visibility changed" and e["target_id"] == str(archive.internal_id)]
    assert [e["actor"] for e in changes][:2] == ["ada", "eve"] and "internal -> public" in changes[1]["detail"]


def test_reads_of_a_restricted_document_are_audited_without_keys(archive: Archive) -> None:
    assert archive.client.get(f"/documents/{archive.secret_id}/text", headers=archive.auth("rex")).status_code == 200
    assert archive.secret_id in _search_ids(archive, "zanthrophyle", archive.auth("rex"))
    assert archive.client.get(f"/persons/{archive.secret_person}", headers=archive.auth("rex")).status_code == 200
    events = archive.client.get("/audit", params={"limit": 1000}, headers=archive.auth("ada")).json()["events"]
    mine = {(e["action"], e["target_id"]) for e in events if e["actor"] == "rex"}
    assert {
        ("read text of", str(archive.secret_id)),
        ("search", str(archive.secret_id)),
        (f"read person {archive.secret_person} in", str(archive.secret_id)),
    } <= mine
    dump = json.dumps(events)
    assert not any(key in dump for key in archive.keys.values())
    assert not any(e["actor"] == "anonymous" for e in events)  # anonymous reads never reached it


def test_keys_are_hashed_and_expired_or_revoked_keys_are_refused(archive: Archive, tmp_path: Path) -> None:
    with session_scope(archive.services.engine) as session:
        expiring = add_user(session, "test", "old", Role.viewer, [], expires_days=1)
        revoked = add_user(session, "test", "gone", Role.viewer, [])
        stored = session.exec(select(ApiKey)).all()
        assert hash_key(archive.keys["val"]) in {k.key_hash for k in stored}
        for key in stored:
            if key.prefix == expiring[:11]:
                key.expires_at = utcnow() - timedelta(seconds=1)
                session.add(key)
    database = archive.services.settings.resolved_data_dir / "archive.db"
    content = b"".join(p.read_bytes() for p in database.parent.glob("archive.db*"))
    assert not any(key.encode() in content for key in archive.keys.values())
    assert archive.client.get("/documents", headers=archive.auth("val")).status_code == 200
    from archive.users import revoke_key

    with session_scope(archive.services.engine) as session:
        revoke_key(session, "test", revoked[:11])
    answers = set()
    for key in (expiring, revoked, "ra_nonsense"):  # one answer: which state a key is in is not told
        response = archive.client.get("/documents", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401
        answers.add(response.text)
    assert answers == {'{"detail":"the API key is not valid (unknown, expired or revoked)"}'}
    legacy = archive.client.patch(
        f"/documents/{archive.public_id}", json={}, headers={"Authorization": "Bearer legacy-token"}
    )
    assert legacy.status_code == 200  # ARCHIVE_EDITOR_TOKEN acts as an editor's key


def test_repeated_wrong_keys_are_rate_limited_by_address_and_key_prefix_never_a_valid_key(archive: Archive) -> None:
    engine = archive.services.engine
    refused_keys.forget(engine)
    with TestClient(create_app(services=archive.services)) as client:
        statuses = [client.get("/health", headers={"Authorization": "Bearer wrong"}).status_code for _ in range(11)]
        assert statuses == [401] * 10 + [429]
        limited = client.get("/health", headers={"Authorization": "Bearer ra_another"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1  # the same address
        assert client.get("/health", headers=archive.auth("ada")).status_code == 200  # a valid key: never limited
        assert client.get("/health").status_code == 200  # anonymous reading goes on
    # another process on the same database sees the same count
    settings = archive.services.settings
    other = Services.open(settings, embedder=FakeEmbedder(), check_index=False)
    try:
        with TestClient(create_app(services=other)) as client:
            assert client.get("/health", headers={"Authorization": "Bearer wrong"}).status_code == 429
    finally:
        other.close()
    # rotating addresses (a forged X-Forwarded-For) with one key prefix is limited by the prefix
    refused_keys.forget(engine)
    for n in range(10):
        assert refused_keys.retry_after(engine, f"10.0.0.{n}", "ra_AbCdEfGh", 10, 60) is None
        refused_keys.record(engine, f"10.0.0.{n}", "ra_AbCdEfGh", 60)
    assert refused_keys.retry_after(engine, "10.0.0.99", "ra_AbCdEfGh", 10, 60) is not None
    assert refused_keys.retry_after(engine, "10.0.0.99", "ra_ZyXwVuTs", 10, 60) is None
    refused_keys.forget(engine)

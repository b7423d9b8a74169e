"""`archive users`, `archive keys`, `archive audit` and `archive ingest --visibility --group`, with CliRunner."""

import json

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.cli import cli
from api.services import Services
from archive.db import make_engine
from archive.models import ApiKey, Document, DocumentGroup
from archive.settings import Settings
from archive.users import hash_key
from tests.fakes import FakeEmbedder


def test_users_keys_and_audit_from_the_command_line(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    added = runner.invoke(cli, [*data, "users", "add", "nur", "--role", "admin", "--group", "witness"])
    assert added.exit_code == 0, added.output
    key = added.output.strip().splitlines()[-1]
    assert key.startswith("ra_") and len(key) > 40
    assert runner.invoke(cli, [*data, "users", "add", "nur", "--role", "viewer"]).exit_code == 1  # exists

    listed = json.loads(runner.invoke(cli, [*data, "users", "list", "--json"]).output)
    assert listed["users"] == [{"id": 1, "name": "nur", "role": "admin", "groups": ["witness"], "keys": 1}]

    second = runner.invoke(cli, [*data, "keys", "add", "nur", "--expires", "30"]).output.strip().splitlines()[-1]
    engine = make_engine(Settings(data_dir=tmp_path / "data"))
    with Session(engine) as session:
        stored = session.exec(select(ApiKey).order_by(ApiKey.id)).all()
    assert [k.key_hash for k in stored] == [hash_key(key), hash_key(second)]
    assert stored[1].expires_at is not None and stored[0].expires_at is None

    revoked = runner.invoke(cli, [*data, "keys", "revoke", key[:11]])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    services = Services.open(Settings(data_dir=tmp_path / "data"), embedder=FakeEmbedder())
    with TestClient(create_app(services=services)) as client:
        assert client.get("/audit", headers={"Authorization": f"Bearer {key}"}).status_code == 401
        events = client.get("/audit", headers={"Authorization": f"Bearer {second}"}).json()["events"]
    services.close()
    assert [e["action"] for e in events] == ["key revoked", "key added", "key added", "user added"]

    shown = runner.invoke(cli, [*data, "audit", "--limit", "2", "--json"])
    assert [e["action"] for e in json.loads(shown.output)["events"]] == ["key revoked", "key added"]
    assert key not in runner.invoke(cli, [*data, "audit"]).output


def test_ingest_sets_visibility_from_options_and_manifest(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Statement\n\nThe witness described the night in the detention centre.\n")
    (inbox / "b.txt").write_text("Memo\n\nThe staff planned the interviews for the coming week.\n")
    (inbox / "manifest.json").write_text(json.dumps({"b.txt": {"visibility": "internal", "groups": ["staff"]}}))
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(cli, [*data, "ingest", str(inbox / "a.txt"), "--visibility", "restricted", "--group", "w"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli, [*data, "ingest", str(inbox / "b.txt")]).exit_code == 0
    with Session(make_engine(Settings(data_dir=tmp_path / "data"))) as session:
        documents = {d.source: d.visibility for d in session.exec(select(Document)).all()}
        groups = {(g.document_id, g.group) for g in session.exec(select(DocumentGroup)).all()}
    assert documents == {"a.txt": "restricted", "b.txt": "internal"}
    assert groups == {(1, "w"), (2, "staff")}
    found = runner.invoke(cli, [*data, "search", "witness detention", "-k", "1", "--json"])  # the CLI sees all
    assert json.loads(found.output)["results"][0]["document"]["id"] == 1
    audit = json.loads(runner.invoke(cli, [*data, "audit", "--json"]).output)["events"]
    assert {(e["action"], e["target_id"], e["actor"]) for e in audit} >= {
        ("ingest", "1", "cli"),
        ("ingest", "2", "cli"),
    }

"""Editors' corrections of person records over HTTP and the command line: roles, the audit trail, undo, and
decisions that hold when documents are ingested again or new ones name the same names.

A small archive with the fake embedder and the real person extraction, on a real SQLite file (and PostgreSQL when
its binaries are installed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.cli import cli
from api.services import Services
from archive.access import Role
from archive.db import session_scope
from archive.models import AuditEvent, Person
from archive.settings import Settings
from archive.users import add_user
from indexing.persons.decisions import SAME_PERSON, decide
from tests.fakes import FakeEmbedder

HEARING = (
    "Hearing in Almaty\n\n"
    "Judge Aralbai Nagashibayev heard the case of the activist Serik Zhakhin. "
    "The court sentenced Serik Zhakhin to five years in a colony settlement.\n"
)
APPEAL = (  # a later document naming both again, one of them in the other order
    "Appeal\n\nNagashibayev Aralbai refused the appeal of Serik Zhakhin on Monday, and Serik Zhakhin's lawyer "
    "said the appeal would go to the Supreme Court.\n"
)


@dataclass
class Archive:
    client: TestClient
    services: Services
    folder: Path
    keys: dict[str, str]

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[user]}"}

    def ingest(self, name: str, text: str) -> str:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        (outcome,) = self.services.ingestor.ingest([path])
        return outcome.state.value

    def person(self, name: str) -> dict:
        """The listed person of that name (exactly), or an empty dict when the list has nobody of that name."""
        persons = self.client.get("/persons", params={"limit": 500}).json()["persons"]
        return next((p for p in persons if p["name"] == name), {})

    def records_named(self, fragment: str) -> list[str]:
        with Session(self.services.engine) as session:
            return [p.name for p in session.exec(select(Person)).all() if fragment in p.name]


@pytest.fixture
def archive(tmp_path: Path, database_url: str | None) -> Iterator[Archive]:
    settings = Settings(data_dir=tmp_path / "archive", database_url=database_url, editor_token="legacy-token")
    services = Services.open(settings, embedder=FakeEmbedder())
    with session_scope(services.engine) as session:
        keys = {
            name: add_user(session, "test", name, role, [])
            for name, role in (("eve", Role.editor), ("val", Role.viewer), ("rex", Role.researcher))
        }
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with TestClient(create_app(services=services)) as client:
        archive = Archive(client, services, inbox, keys)
        assert archive.ingest("hearing.txt", HEARING) == "indexed"
        yield archive
    services.close()


def _audit(archive: Archive, action: str) -> list[AuditEvent]:
    with Session(archive.services.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_only_an_editor_may_judge_a_record_and_each_decision_is_audited(archive: Archive) -> None:
    judge = archive.person("Aralbai Nagashibayev")
    assert judge, archive.client.get("/persons").json()
    url = f"/persons/{judge['id']}/not-a-person"
    anonymous = archive.client.post(url)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    for user in ("val", "rex"):
        refused = archive.client.post(url, headers=archive.auth(user))
        assert refused.status_code == 403 and "editor" in refused.json()["detail"]
    assert archive.client.post(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert not _audit(archive, "person judged not a person")

    judged = archive.client.post(url, headers=archive.auth("eve"))
    assert judged.status_code == 200, judged.text
    assert judged.json() == {"id": judge["id"], "name": "Aralbai Nagashibayev", "not_a_person": True}
    [event] = _audit(archive, "person judged not a person")
    assert (event.actor, event.target_kind, event.target_id) == ("eve", "person", str(judge["id"]))
    assert archive.client.post(url, headers={"Authorization": "Bearer legacy-token"}).status_code == 200

    undone = archive.client.delete(url, headers=archive.auth("eve"))
    assert undone.status_code == 200 and undone.json()["not_a_person"] is False
    assert [e.actor for e in _audit(archive, "person judged a person")] == ["eve"]
    again = archive.client.delete(url, headers=archive.auth("eve"))
    assert again.status_code == 400 and "not marked" in again.json()["detail"]
    assert archive.client.post("/persons/987654/not-a-person", headers=archive.auth("eve")).status_code == 404


def test_not_a_person_leaves_lists_filters_search_and_tags_and_survives_reingest(archive: Archive) -> None:
    judge = archive.person("Aralbai Nagashibayev")
    before = archive.client.get("/search", params={"q": "heard the case", "k": 3}).json()["results"]
    assert "Aralbai Nagashibayev" in {p["name"] for r in before for p in r["persons"]}
    assert archive.client.post(f"/persons/{judge['id']}/not-a-person", headers=archive.auth("eve")).status_code == 200

    assert not archive.person("Aralbai Nagashibayev")  # the people list
    assert archive.client.get("/persons", params={"q": "Nagashibayev"}).json()["persons"] == []  # person search
    for person in ("Aralbai Nagashibayev", str(judge["id"])):  # the person filter, by name and by id
        filtered = archive.client.get("/search", params={"q": "court", "person": person})
        assert filtered.status_code == 404, filtered.text
    after = archive.client.get("/search", params={"q": "heard the case", "k": 3}).json()["results"]
    tags = {p["name"] for r in after for p in r["persons"]}
    assert "Aralbai Nagashibayev" not in tags and "Serik Zhakhin" in tags  # the passages' tags
    detail = archive.client.get(f"/persons/{judge['id']}").json()  # its page stays, for the undo
    assert detail["not_a_person"] is True and detail["mentions"] == judge["mentions"]

    assert archive.ingest("hearing.txt", HEARING) == "duplicate"  # the same file again
    assert archive.ingest("hearing-copy.txt", HEARING + "\nCopied from the court's website.\n") == "indexed"
    assert archive.ingest("appeal.txt", APPEAL) == "indexed"  # a new file naming the same name
    assert not archive.person("Aralbai Nagashibayev")
    assert archive.client.get("/persons", params={"q": "Nagashibayev"}).json()["persons"] == []
    assert archive.records_named("Nagashibayev") == ["Aralbai Nagashibayev"]  # no new record for the name
    assert archive.client.get(f"/persons/{judge['id']}").json()["mentions"] > judge["mentions"]  # kept hidden

    undone = archive.client.delete(f"/persons/{judge['id']}/not-a-person", headers=archive.auth("eve"))
    assert undone.status_code == 200
    back = archive.person("Aralbai Nagashibayev")
    assert back["id"] == judge["id"] and back["mentions"] >= 3  # with the mentions of the new documents
    found = archive.client.get("/search", params={"q": "court", "person": "Aralbai Nagashibayev"})
    assert found.status_code == 200 and found.json()["results"]


def test_a_merge_moves_the_record_and_later_documents_follow_it(archive: Archive) -> None:
    judge, activist = archive.person("Aralbai Nagashibayev"), archive.person("Serik Zhakhin")
    url = f"/persons/{activist['id']}/merge"
    assert archive.client.post(url, json={"into": judge["id"]}).status_code == 401
    assert archive.client.post(url, json={"into": judge["id"]}, headers=archive.auth("rex")).status_code == 403
    same = archive.client.post(url, json={"into": activist["id"]}, headers=archive.auth("eve"))
    assert same.status_code == 400 and "itself" in same.json()["detail"]
    missing = archive.client.post(url, json={"into": 987654}, headers=archive.auth("eve"))
    assert missing.status_code == 404

    merged = archive.client.post(url, json={"into": judge["id"]}, headers=archive.auth("eve"))
    assert merged.status_code == 200, merged.text
    kept = merged.json()
    assert kept["id"] == judge["id"] and "Serik Zhakhin" in kept["aliases"]
    assert kept["mentions"] >= activist["mentions"]
    assert archive.client.get(f"/persons/{activist['id']}").status_code == 404
    [event] = _audit(archive, "persons merged")
    assert event.actor == "eve" and event.target_id == str(judge["id"]) and str(activist["id"]) in (event.detail or "")

    assert archive.ingest("appeal.txt", APPEAL) == "indexed"  # names the merged record's name again
    assert not archive.person("Serik Zhakhin") and archive.records_named("Zhakhin") == []
    assert archive.person("Aralbai Nagashibayev")["mentions"] > kept["mentions"]


def test_a_record_judged_not_a_person_is_merged_by_nobody(archive: Archive) -> None:
    judge, activist = archive.person("Aralbai Nagashibayev"), archive.person("Serik Zhakhin")
    archive.client.post(f"/persons/{judge['id']}/not-a-person", headers=archive.auth("eve"))
    for source, target in ((judge, activist), (activist, judge)):
        refused = archive.client.post(
            f"/persons/{source['id']}/merge", json={"into": target["id"]}, headers=archive.auth("eve")
        )
        assert refused.status_code == 400 and "not a person" in refused.json()["detail"]


def test_the_command_line_judges_and_undoes(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    data = ["--data-dir", str(archive.services.settings.resolved_data_dir)]
    if archive.services.settings.database_url:
        monkeypatch.setenv("DATABASE_URL", archive.services.settings.database_url)
    judge = archive.person("Aralbai Nagashibayev")
    runner = CliRunner()
    judged = runner.invoke(cli, [*data, "persons", "not-a-person", "Aralbai Nagashibayev"])
    assert judged.exit_code == 0, judged.output
    assert f"is-a-person {judge['id']}" in judged.output and not archive.person("Aralbai Nagashibayev")
    listed = runner.invoke(cli, [*data, "persons", "Nagashibayev"])
    assert "Aralbai" not in listed.output
    undone = runner.invoke(cli, [*data, "persons", "is-a-person", str(judge["id"])])
    assert undone.exit_code == 0 and "a person again" in undone.output
    assert archive.person("Aralbai Nagashibayev")["id"] == judge["id"]
    twice = runner.invoke(cli, [*data, "persons", "is-a-person", str(judge["id"])])
    assert twice.exit_code == 1 and "not marked" in twice.output
    assert {e.actor for e in _audit(archive, "person judged a person")} == {"cli"}


def test_ingest_follows_a_stored_decision_before_the_name_index(archive: Archive) -> None:
    """The decision alone steers new mentions: "Serik Zhakhin" keeps its own record and aliases, yet once a decision
    sends the name to the judge's record, a new document's mentions of it go there and nowhere else."""
    judge, activist = archive.person("Aralbai Nagashibayev"), archive.person("Serik Zhakhin")
    with session_scope(archive.services.engine) as session:
        assert decide(session, ["Serik Zhakhin"], SAME_PERSON, judge["id"], "test") == 1
    assert archive.ingest("appeal.txt", APPEAL) == "indexed"
    assert archive.person("Serik Zhakhin")["mentions"] == activist["mentions"]  # no new mention on its record
    assert archive.person("Aralbai Nagashibayev")["mentions"] > judge["mentions"]

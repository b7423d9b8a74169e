"""The MCP server driven by the SDK's own client, over stdio (`archive mcp` as a child process) and over streamable
HTTP (a real uvicorn on 127.0.0.1): the tools, cited passages, and access as the key given."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from sqlmodel import Session, select

from api.app import create_app
from api.services import Services
from archive.access import Role, Submission, Visibility
from archive.db import session_scope
from archive.models import AuditEvent, Document
from archive.settings import Settings
from archive.users import add_user
from indexing.embed import Embedder
from tests.web.conftest import serving

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {"search", "check_quote", "get_passage", "find_person", "list_documents"}
PUBLIC_TEXT = (
    "Court report\n\nThe Almaty court sentenced the journalist Serik Zhakhin to five years in a colony settlement "
    "for a post criticising the regional governor. His lawyer said the verdict would be appealed.\n"
)
SECRET_TEXT = (
    "Witness statement\n\nThe activist Quorvald Zymbrixov told the monitors that guards beat him in the Taraz "
    "detention centre and that he was denied a lawyer for three days after his arrest.\n"
)
SECRET_QUERY = "guards beat the activist in the Taraz detention centre"


@dataclass
class McpArchive:
    settings: Settings
    services: Services
    admin_key: str
    public_id: int
    secret_id: int


def _ingest(services: Services, folder: Path, name: str, text: str, submission: Submission) -> int:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    (outcome,) = services.ingestor.ingest([path], submission=submission)
    assert outcome.state.value == "indexed" and outcome.document_id is not None, outcome
    return outcome.document_id


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, seed_embedder: Embedder) -> Iterator[McpArchive]:
    root = tmp_path_factory.mktemp("mcp")
    settings = Settings(data_dir=root / "archive")
    services = Services.open(settings, embedder=seed_embedder)
    public_id = _ingest(services, root, "court.txt", PUBLIC_TEXT, Submission())
    secret_id = _ingest(
        services, root, "witness.txt", SECRET_TEXT, Submission(visibility=Visibility.restricted, groups=("witness",))
    )
    with session_scope(services.engine) as session:
        admin_key = add_user(session, "test", "ada", Role.admin, [])
    yield McpArchive(settings, services, admin_key, public_id, secret_id)
    services.close()


def _document_text(services: Services, document_id: int) -> str:
    with Session(services.engine) as session:
        document = session.get(Document, document_id)
        assert document is not None
        return document.text


async def _session_run(client: Client) -> dict[str, Any]:
    """What the checks need from one connection: the tools, and the answers to a few calls."""
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    answers: dict[str, Any] = {"tools": tools}
    for name, arguments in {
        "search": {"query": SECRET_QUERY, "k": 5},
        "search_public": {"query": "journalist sentenced for a post criticising the governor", "k": 3},
        "list_documents": {},
        "find_person": {"name": "Зымбриксов"},
        "check_quote": {"quote": "The Almaty court sentenced the journalist Serik Zhakhin to six years"},
    }.items():
        result = await client.call_tool(name.removesuffix("_public"), arguments)
        assert not result.is_error, (name, result.content)
        answers[name] = result.structured_content
    first = answers["search_public"]["results"][0]
    answers["get_passage"] = (
        await client.call_tool("get_passage", {"passage_id": first["passage_id"]})
    ).structured_content
    missing = await client.call_tool("get_passage", {"passage_id": 987654})
    answers["missing"] = (missing.is_error, " ".join(getattr(c, "text", "") for c in missing.content))
    backwards = await client.call_tool(
        "search", {"query": "court", "published_from": "2021-01-01", "published_to": "2020-01-01"}
    )
    answers["backwards"] = (backwards.is_error, " ".join(getattr(c, "text", "") for c in backwards.content))
    return answers


def _check_answers(archive: McpArchive, answers: dict[str, Any], *, sees_secret: bool) -> None:
    tools = answers["tools"]
    assert set(tools) == TOOLS
    assert all(len(tool.description or "") > 150 for tool in tools.values())  # written for a model to use well
    assert {"query", "k", "person", "language", "published_from", "document_id"} <= set(
        tools["search"].input_schema["properties"]
    )
    public = answers["search_public"]["results"]
    assert public and public[0]["document"]["id"] == archive.public_id
    for answer in (answers["search"], answers["search_public"]):
        for result in answer["results"]:
            text = _document_text(archive.services, result["document"]["id"])
            citation = result["citation"]
            assert result["text"] == text[citation["char_start"] : citation["char_end"]]
            assert result["link"].endswith(
                f"/read/{result['document']['id']}?passage={result['passage_id']}#passage-{result['passage_id']}"
            )
    found_ids = {r["document"]["id"] for r in answers["search"]["results"]}
    listed = {d["id"] for d in answers["list_documents"]["documents"]}
    persons = {p["name"] for p in answers["find_person"]["persons"]}
    if sees_secret:
        assert archive.secret_id in found_ids and archive.secret_id in listed
        assert any("Zymbrixov" in name for name in persons)
    else:
        assert archive.secret_id not in found_ids and archive.secret_id not in listed
        assert not any("Zymbrixov" in name for name in persons)
        assert answers["list_documents"]["total"] == 1
    (match,) = answers["check_quote"]["matches"][:1]
    assert match["verdict"] == "altered" and match["document"]["id"] == archive.public_id
    context = answers["get_passage"]
    passage = context["passage"]
    text = _document_text(archive.services, passage["document"]["id"])
    assert passage["text"] == text[passage["citation"]["char_start"] : passage["citation"]["char_end"]]
    assert answers["backwards"][0] and answers["backwards"][1].endswith("published_from must not be after published_to")
    assert answers["missing"][0] and answers["missing"][1].endswith("passage 987654 does not exist")


def _stdio_client(archive: McpArchive, key: str | None) -> Client:
    env = {"PYTHONPATH": str(ROOT), "ARCHIVE_SERVE_THREADS": "1"}
    if key:
        env["ARCHIVE_API_KEY"] = key
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "api", "--data-dir", str(archive.settings.data_dir), "mcp"],
        env=env,
        cwd=str(ROOT),
    )
    return Client(params, read_timeout_seconds=600)  # the child loads the model; the machine may be busy


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_the_mcp_server_over_stdio_answers_as_the_key_given(archive: McpArchive, who: str) -> None:
    async def run() -> dict[str, Any]:
        async with _stdio_client(archive, archive.admin_key if who == "admin" else None) as client:
            return await _session_run(client)

    answers = anyio.run(run)
    _check_answers(archive, answers, sees_secret=who == "admin")


def test_a_refused_key_stops_the_stdio_server_with_a_message(archive: McpArchive) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "api", "--data-dir", str(archive.settings.data_dir), "mcp"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "ARCHIVE_API_KEY": "ra_not-a-key"},
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1 and "ARCHIVE_API_KEY: the API key is not valid" in done.stderr


def test_the_mcp_server_over_http_answers_as_the_bearer_key(archive: McpArchive) -> None:
    def connect(base: str, key: str | None) -> Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        http = httpx2.AsyncClient(headers=headers, timeout=600)
        return Client(streamable_http_client(f"{base}/mcp", http_client=http))

    async def run(base: str) -> dict[str, dict[str, Any]]:
        answers = {}
        for who, key in (("anonymous", None), ("admin", archive.admin_key)):
            async with connect(base, key) as client:
                answers[who] = await _session_run(client)
        return answers

    with serving(create_app(services=archive.services)) as base:
        answers = anyio.run(run, base)
        refused = httpx2.post(
            f"{base}/mcp",
            headers={"Authorization": "Bearer ra_not-a-key", "Accept": "application/json, text/event-stream"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        )
    _check_answers(archive, answers["anonymous"], sees_secret=False)
    _check_answers(archive, answers["admin"], sees_secret=True)
    assert refused.status_code == 401 and refused.json() == {
        "detail": "the API key is not valid (unknown, expired or revoked)"
    }
    assert "default-src 'self'" in refused.headers["content-security-policy"]  # the security headers still apply
    with Session(archive.services.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.actor == "ada")).all()
    assert any(e.action == "search" and e.target_id == str(archive.secret_id) for e in events)  # as the API

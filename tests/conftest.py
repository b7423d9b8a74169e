"""Shared fixtures: the seed archive is built once per session with the real bundled model."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from archive.settings import Settings
from indexing.pipeline import collect_files
from tests.fakes import FakeEmbedder
from tests.postgres_server import PostgresServer, find_binaries

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("seed-archive"))


@pytest.fixture(scope="session")
def seed_services(seed_settings: Settings) -> Iterator[Services]:
    """The bundled corpus ingested with multilingual-e5-small into a real SQLite file and FAISS index."""
    services = Services.open(seed_settings)
    outcomes = services.ingestor.ingest(list(collect_files([CORPUS])))
    assert [o.state.value for o in outcomes] == ["indexed"] * 5, outcomes
    yield services
    services.close()


@pytest.fixture(scope="session")
def seed_client(seed_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=seed_services)) as client:
        yield client


@pytest.fixture
def fake_services(tmp_path: Path) -> Iterator[Services]:
    """A small empty archive with the fake embedder, for plumbing tests."""
    services = Services.open(Settings(data_dir=tmp_path / "archive"), embedder=FakeEmbedder())
    yield services
    services.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for this test session (see tests/postgres_server.py).

    Without PostgreSQL's binaries the `postgres` tests are skipped on a developer's machine, and fail in CI
    (`CI` set), which installs them.
    """
    binaries = find_binaries()
    if binaries is None:
        message = "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer.start(binaries)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The SQLAlchemy URL of a new, empty PostgreSQL database."""
    return postgres_server.new_database()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that drive Chromium (the `browser` fixture of tests/web) or PostgreSQL are their own tiers."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if fixtures & {"postgres_url", "postgres_server"}:
            item.add_marker(pytest.mark.postgres)

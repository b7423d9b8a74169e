"""Shared fixtures: the seed archive is built once per session with the real bundled model."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from archive.settings import Settings
from indexing.embed import Embedder, create_embedder
from indexing.pipeline import collect_files
from tests.fakes import FakeEmbedder, RememberingEmbedder
from tests.postgres_server import PostgresServer, find_binaries

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"


@pytest.fixture(scope="session")
def sqlite_seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("seed-archive"))


@pytest.fixture(scope="session")
def seed_settings(sqlite_seed_settings: Settings) -> Settings:
    return sqlite_seed_settings


@pytest.fixture(scope="session")
def seed_embedder() -> RememberingEmbedder:
    """The bundled model, remembering what it embedded: the PostgreSQL seed archive reuses the SQLite one's vectors."""
    return RememberingEmbedder(create_embedder(Settings()))


def _seed_archive(settings: Settings, embedder: Embedder) -> Services:
    services = Services.open(settings, embedder=embedder)
    outcomes = services.ingestor.ingest(list(collect_files([CORPUS])))
    assert [o.state.value for o in outcomes] == ["indexed"] * 5, outcomes
    return services


@pytest.fixture(scope="session")
def sqlite_seed_services(sqlite_seed_settings: Settings, seed_embedder: Embedder) -> Iterator[Services]:
    """The bundled corpus ingested with multilingual-e5-small into a real SQLite file and FAISS index."""
    services = _seed_archive(sqlite_seed_settings, seed_embedder)
    yield services
    services.close()


@pytest.fixture(scope="session")
def postgres_seed_services(
    postgres_server: PostgresServer, seed_embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """The same seed archive on a real PostgreSQL server (built once per session)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("seed-postgres"), database_url=postgres_server.new_database())
    services = _seed_archive(settings, seed_embedder)
    yield services
    services.close()


@pytest.fixture(scope="session")
def seed_services(sqlite_seed_services: Services) -> Services:
    """The seed archive; tests/search/conftest.py makes it the SQLite and the PostgreSQL one in turn."""
    return sqlite_seed_services


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


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None (the SQLite file in the data folder), then a new PostgreSQL database: a test using it runs on both."""
    return request.getfixturevalue("postgres_url") if request.param == "postgres" else None


@pytest.fixture
def each_fake_services(tmp_path: Path, database_url: str | None) -> Iterator[Services]:
    """`fake_services` on SQLite, then on PostgreSQL."""
    settings = Settings(data_dir=tmp_path / "archive", database_url=database_url)
    services = Services.open(settings, embedder=FakeEmbedder())
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

"""Fixtures that make `seed_services`, `seed_settings` and `seed_client` the seed archive in SQLite, then the same
archive in PostgreSQL: a test module or conftest that imports them runs its seed-archive tests on both databases."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from archive.settings import Settings
from tests.conftest import DATABASES


@pytest.fixture(scope="session", params=DATABASES)
def seed_services(request: pytest.FixtureRequest) -> Services:
    services: Services = request.getfixturevalue(f"{request.param}_seed_services")
    return services


@pytest.fixture(scope="session")
def seed_settings(seed_services: Services) -> Settings:
    return seed_services.settings


@pytest.fixture(scope="session")
def seed_client(seed_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=seed_services)) as client:
        yield client


@pytest.fixture
def seed_database_env(seed_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI run inside a test reaches the same database (DATABASE_URL, as a user would set it)."""
    if seed_settings.database_url:
        monkeypatch.setenv("DATABASE_URL", seed_settings.database_url)

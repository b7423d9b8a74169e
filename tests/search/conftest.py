"""Search, persons and quote tests run on the seed archive in SQLite and again in PostgreSQL."""

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

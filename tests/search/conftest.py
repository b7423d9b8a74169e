"""Search, persons and quote tests run on the seed archive in SQLite and again in PostgreSQL."""

from tests.each_database import seed_client, seed_database_env, seed_services, seed_settings  # noqa: F401

"""Schema migrations with Alembic (archive/migrations), run whenever an archive is opened; no alembic.ini needed.

A new database is built by the revisions from the first on. A database made by a version before migrations (its
tables present, no `alembic_version`) takes the same path: the baseline revision creates only what is missing and
adds the columns that the in-place upgrade of those versions added, so its rows stay. A new revision is one file in
archive/migrations/versions whose `down_revision` is the current head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 4_204_712  # PostgreSQL advisory lock: processes starting together migrate one after another


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (an archive made before migrations included)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        if current_revision(connection) != head_revision():
            command.upgrade(alembic_config(connection), "head")

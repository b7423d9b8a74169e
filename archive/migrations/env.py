"""Alembic environment: runs on the connection that `archive.migrate` passes in `config.attributes`."""

from alembic import context
from sqlmodel import SQLModel

from archive import models  # noqa: F401  (registers the tables)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment: runs on the connection that `archive.migrate` passes in `config.attributes`."""

from alembic import context
from sqlmodel import SQLModel

from archive import models  # noqa: F401  (registers the tables)
from archive.migrate import outside_the_models

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    include_object=outside_the_models,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()

"""Bring an existing database up to the current tables: add columns that newer versions of the models declare.

`SQLModel.metadata.create_all` creates missing tables but never alters existing ones; the columns added since
(all nullable or with a default) are added here with `ALTER TABLE ... ADD COLUMN`.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel


def add_missing_columns(engine: Engine) -> list[str]:
    """Add every column the models declare but the database lacks; returns them as 'table.column'."""
    inspector = inspect(engine)
    added: list[str] = []
    existing_tables = set(inspector.get_table_names())
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present or column.primary_key:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                default = ""
                if column.server_default is not None:
                    default = f" NOT NULL DEFAULT '{column.server_default.arg}'"  # type: ignore[attr-defined]
                elif not column.nullable:
                    default = " DEFAULT 0" if kind.upper() in ("INTEGER", "BOOLEAN", "FLOAT") else " DEFAULT ''"
                connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{default}'))
                added.append(f"{table.name}.{column.name}")
    return added

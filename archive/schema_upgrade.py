"""The in-place upgrade of archives made before migrations: the columns added to the baseline's tables since.

Before Alembic (archive.migrate), `SQLModel.metadata.create_all` created missing tables and the columns added since
(all nullable or with a default) were added with `ALTER TABLE ... ADD COLUMN`. The baseline revision does the same
once, so that such an archive reaches the baseline's schema with its rows kept.
"""

from __future__ import annotations

from sqlalchemy import Connection, MetaData, inspect, text


def add_missing_columns(connection: Connection, metadata: MetaData) -> list[str]:
    """Add every column `metadata` declares but the database's tables lack; returns them as 'table.column'."""
    inspector = inspect(connection)
    added: list[str] = []
    existing_tables = set(inspector.get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present or column.primary_key:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            default = ""
            if not column.nullable:
                default = " DEFAULT 0" if kind.upper() in ("INTEGER", "BOOLEAN", "FLOAT") else " DEFAULT ''"
            connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{default}'))
            added.append(f"{table.name}.{column.name}")
    return added

"""Alembic migrations: a new database gets the models' schema, and archives made before migrations upgrade in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session, SQLModel

from archive.db import make_engine
from archive.migrate import current_revision, head_revision, outside_the_models
from archive.settings import Settings
from search.lexical import lexical_search


def test_the_migrations_build_the_models_schema(tmp_path: Path, database_url: str | None) -> None:
    engine = make_engine(Settings(data_dir=tmp_path, database_url=database_url))
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        context = MigrationContext.configure(connection, opts={"include_object": outside_the_models})
        assert compare_metadata(context, SQLModel.metadata) == []
    make_engine(Settings(data_dir=tmp_path, database_url=database_url)).dispose()  # opening again changes nothing
    engine.dispose()


# What the last version before migrations made of a new archive (its create_all), less the columns it then added
# in place: passage.page_end, passage.page_breaks, passage.sentence_*, ingestjob.source_path/stored_path/reason.
OLD_SCHEMA = """
CREATE TABLE archivemeta (key VARCHAR NOT NULL PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE document (id INTEGER NOT NULL PRIMARY KEY, sha256 VARCHAR(64) NOT NULL, source VARCHAR NOT NULL,
    title VARCHAR NOT NULL, publisher VARCHAR, published DATE, published_end DATE, authors VARCHAR, url VARCHAR,
    language VARCHAR(8), kind VARCHAR, page_count INTEGER, text VARCHAR NOT NULL, created_at DATETIME NOT NULL,
    duplicate_of INTEGER);
CREATE UNIQUE INDEX ix_document_sha256 ON document (sha256);
CREATE TABLE passage (id INTEGER NOT NULL PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES document (id),
    ordinal INTEGER NOT NULL, char_start INTEGER NOT NULL, char_end INTEGER NOT NULL, page_start INTEGER,
    text VARCHAR NOT NULL, heading VARCHAR, ocr BOOLEAN NOT NULL, content_hash VARCHAR(64) NOT NULL,
    embedding BLOB NOT NULL);
CREATE TABLE ingestjob (id INTEGER NOT NULL PRIMARY KEY, sha256 VARCHAR(64) NOT NULL, filename VARCHAR NOT NULL,
    state VARCHAR(9) NOT NULL, attempts INTEGER NOT NULL, document_id INTEGER REFERENCES document (id),
    created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
CREATE VIRTUAL TABLE passage_fts USING fts5(text, content='passage', content_rowid='id');
INSERT INTO document VALUES (1, 'ab', 'old.txt', 'Old', NULL, NULL, NULL, NULL, NULL, 'en', NULL, NULL,
    'Old passage about the Taraz court.', '2025-01-01 00:00:00', NULL);
INSERT INTO passage VALUES (1, 1, 0, 0, 34, 3, 'Old passage about the Taraz court.', NULL, 0, 'h', x'00');
INSERT INTO ingestjob VALUES (1, 'ab', 'old.txt', 'indexed', 1, 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00');
"""


def test_an_archive_made_before_migrations_upgrades_in_place(tmp_path: Path) -> None:
    data = tmp_path / "old"
    data.mkdir()
    with sqlite3.connect(data / "archive.db") as connection:
        connection.executescript(OLD_SCHEMA)
    engine = make_engine(Settings(data_dir=data))
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        columns = {t: {c["name"] for c in inspect(connection).get_columns(t)} for t in ("ingestjob", "passage")}
        tables = set(inspect(connection).get_table_names())
        assert connection.exec_driver_sql("SELECT text, page_start, page_end FROM passage").all() == [
            ("Old passage about the Taraz court.", 3, None)
        ]
        assert connection.exec_driver_sql("SELECT state, document_id FROM ingestjob").all() == [("indexed", 1)]
    assert {"source_path", "stored_path", "reason"} <= columns["ingestjob"]
    assert {"page_end", "page_breaks", "sentence_spans", "sentence_vectors"} <= columns["passage"]
    assert {"person", "personalias", "mention", "documentminhash", "minhashband"} <= tables
    with Session(engine) as session:
        assert [i for i, _ in lexical_search(session, "Taraz courts", 5)] == [1]  # the FTS index rebuilt on stems
    engine.dispose()


def test_an_archive_made_before_migrations_on_postgres_gets_its_lexical_index(tmp_path: Path, postgres_url: str):
    legacy = create_engine(postgres_url)
    from archive.migrations.versions import r0001_baseline as baseline

    baseline.metadata.create_all(legacy)  # the tables as the earlier version made them: no alembic_version
    with legacy.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO document (id, sha256, source, title, text, created_at) VALUES "
                "(1, 'ab', 'old.txt', 'Old', 'Old passage about the Taraz court.', now())"
            )
        )
        connection.execute(
            text(
                "INSERT INTO passage (id, document_id, ordinal, char_start, char_end, text, ocr, content_hash, "
                "embedding) VALUES (1, 1, 0, 0, 34, 'Old passage about the Taraz court.', false, 'h', '\\x00')"
            )
        )
    legacy.dispose()
    engine = make_engine(Settings(data_dir=tmp_path, database_url=postgres_url))
    with Session(engine) as session:
        assert current_revision(session.connection()) == head_revision()
        assert [i for i, _ in lexical_search(session, "Taraz courts", 5)] == [1]
    engine.dispose()

"""The lexical index's tables, triggers and hooks, made ready wherever the archive opens an engine.

On SQLite a contentless FTS5 table holds the passages' stems (indexing.analysis: each word stemmed by its language),
kept in step by triggers, so every write to `passage` updates the lexical index inside the same transaction; the
triggers call `index_terms`, a Python function each connection registers. On PostgreSQL a session hook
(indexing.lexical_index.index_flushed_passages) writes `passage_lexical` in the flush that writes the passages.
Either index is rebuilt when it was made by another analyzer version. Importing `indexing` registers this module
with `archive.db`, so the storage layer opens engines without knowing how passages are indexed.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

from archive.db import on_connect, on_engine_open, set_meta
from indexing.analysis import index_terms
from indexing.lexical_index import index_flushed_passages, rebuild_postgres_index
from language.words import ANALYZER_VERSION

_SQLITE_FTS = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts USING fts5(
        terms, content='', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS passage_fts_insert AFTER INSERT ON passage BEGIN
        INSERT INTO passage_fts(rowid, terms) VALUES (new.id, index_terms(new.text, new.page_breaks)); END""",
    """CREATE TRIGGER IF NOT EXISTS passage_fts_delete AFTER DELETE ON passage BEGIN
        INSERT INTO passage_fts(passage_fts, rowid, terms)
        VALUES ('delete', old.id, index_terms(old.text, old.page_breaks)); END""",
    """CREATE TRIGGER IF NOT EXISTS passage_fts_update AFTER UPDATE OF text, page_breaks ON passage BEGIN
        INSERT INTO passage_fts(passage_fts, rowid, terms)
        VALUES ('delete', old.id, index_terms(old.text, old.page_breaks));
        INSERT INTO passage_fts(rowid, terms) VALUES (new.id, index_terms(new.text, new.page_breaks)); END""",
)
_SQLITE_FTS_DROP = (
    "DROP TRIGGER IF EXISTS passage_fts_insert",
    "DROP TRIGGER IF EXISTS passage_fts_delete",
    "DROP TRIGGER IF EXISTS passage_fts_update",
    "DROP TABLE IF EXISTS passage_fts",
)
SQLITE_FTS_FILL = "INSERT INTO passage_fts(rowid, terms) SELECT id, index_terms(text, page_breaks) FROM passage"
LEXICAL_META_KEY = "lexical_index"
TRIGGERS_VERSION = "2"  # 2: page breaks inside a passage are left out of its terms
POSTGRES_LEXICAL_VERSION = "1"


def register_functions(dbapi_connection: Any) -> None:
    """The SQL functions the FTS triggers call; every SQLite connection that writes passages needs them."""
    dbapi_connection.create_function("index_terms", 1, index_terms, deterministic=True)
    dbapi_connection.create_function("index_terms", 2, index_terms, deterministic=True)


def _lexical_index_current(connection: Connection, wanted: dict[str, str]) -> bool:
    row = connection.execute(text("SELECT value FROM archivemeta WHERE key = :key"), {"key": LEXICAL_META_KEY}).first()
    return row is not None and json.loads(row[0]) == wanted


def _ensure_sqlite_lexical_index(engine: Engine) -> None:
    """Create the FTS table and its triggers; rebuild them when they were made by another analyzer version."""
    wanted = {"analyzer": ANALYZER_VERSION, "triggers": TRIGGERS_VERSION}
    with engine.begin() as connection:
        if _lexical_index_current(connection, wanted):
            for statement in _SQLITE_FTS:  # a trigger dropped by a bulk load comes back
                connection.execute(text(statement))
            return
        for statement in (*_SQLITE_FTS_DROP, *_SQLITE_FTS, SQLITE_FTS_FILL):
            connection.execute(text(statement))
        set_meta(connection, LEXICAL_META_KEY, json.dumps(wanted))


def _ensure_postgres_lexical_index(engine: Engine) -> None:
    """Index the passages written on PostgreSQL from now on; re-index them all when the analyzer has changed."""
    if not event.contains(OrmSession, "after_flush", index_flushed_passages):
        event.listen(OrmSession, "after_flush", index_flushed_passages)
    wanted = {"analyzer": ANALYZER_VERSION, "table": POSTGRES_LEXICAL_VERSION}
    with engine.begin() as connection:
        if _lexical_index_current(connection, wanted):
            return
        connection.execute(text("LOCK TABLE passage_lexical IN EXCLUSIVE MODE"))  # one process rebuilds
        if _lexical_index_current(connection, wanted):
            return
        rebuild_postgres_index(connection)
        set_meta(connection, LEXICAL_META_KEY, json.dumps(wanted))


def ensure_lexical_index(engine: Engine) -> None:
    """Bring the lexical index of a freshly opened (and migrated) archive up to date."""
    if engine.dialect.name == "sqlite":
        _ensure_sqlite_lexical_index(engine)
    elif engine.dialect.name == "postgresql":
        _ensure_postgres_lexical_index(engine)


on_connect(register_functions)
on_engine_open(ensure_lexical_index)

"""Engine, schema and sessions. SQLite by default (WAL, FTS5), PostgreSQL (or another SQLAlchemy URL) through
`DATABASE_URL`. The schema comes from the migrations (archive.migrate); the lexical index's contents from here."""

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from archive import models  # noqa: F401  (registers the tables)
from archive.migrate import upgrade
from archive.settings import Settings
from indexing.analysis import index_terms
from indexing.lexical_index import index_flushed_passages, rebuild_postgres_index
from search.text import ANALYZER_VERSION

# Contentless FTS5 table over the passages' stems (indexing.analysis: each word stemmed by its language), kept in
# step by triggers so that every write to `passage` updates the lexical index inside the same transaction. The
# triggers call `index_terms`, a Python function every connection registers (see _configure_sqlite).
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


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    register_functions(dbapi_connection)


def register_functions(dbapi_connection) -> None:
    """The SQL functions the FTS triggers call; every connection that writes passages needs them."""
    dbapi_connection.create_function("index_terms", 1, index_terms, deterministic=True)
    dbapi_connection.create_function("index_terms", 2, index_terms, deterministic=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(settings: Settings) -> Engine:
    """Create the engine and bring the schema (tables, lexical index) to the newest revision."""
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    upgrade(engine)
    if is_sqlite(engine):
        _ensure_sqlite_lexical_index(engine)
    elif engine.dialect.name == "postgresql":
        _ensure_postgres_lexical_index(engine)
    return engine


def _lexical_index_current(connection: Connection, wanted: dict[str, str]) -> bool:
    row = connection.execute(text("SELECT value FROM archivemeta WHERE key = :key"), {"key": LEXICAL_META_KEY}).first()
    return row is not None and json.loads(row[0]) == wanted


def set_meta(connection: Connection, key: str, value: str) -> None:
    """Set one `archivemeta` value (a plain delete and insert: the same SQL on every database)."""
    connection.execute(text("DELETE FROM archivemeta WHERE key = :key"), {"key": key})
    connection.execute(text("INSERT INTO archivemeta(key, value) VALUES (:key, :value)"), {"key": key, "value": value})


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


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

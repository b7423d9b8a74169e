"""Engine, schema and sessions. SQLite by default (WAL), PostgreSQL (or another SQLAlchemy URL) through
`DATABASE_URL`. The schema comes from the migrations (archive.migrate); layers above add what they keep beside the
tables (the lexical index: indexing.lexical_schema) through `on_connect` and `on_engine_open`."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from archive import models  # noqa: F401  (registers the tables)
from archive.migrate import upgrade
from archive.settings import Settings

ConnectHook = Callable[[Any], None]
EngineHook = Callable[[Engine], None]
_connect_hooks: list[ConnectHook] = []
_engine_hooks: list[EngineHook] = []


def on_connect(hook: ConnectHook) -> None:
    """Run `hook(dbapi_connection)` on every new SQLite connection (e.g. to register SQL functions)."""
    if hook not in _connect_hooks:
        _connect_hooks.append(hook)


def on_engine_open(hook: EngineHook) -> None:
    """Run `hook(engine)` after each engine is opened and migrated (e.g. to create or rebuild an index)."""
    if hook not in _engine_hooks:
        _engine_hooks.append(hook)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    for hook in _connect_hooks:
        hook(dbapi_connection)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(settings: Settings) -> Engine:
    """Create the engine, bring the schema to the newest revision and run the hooks registered for new engines."""
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    upgrade(engine)
    for hook in _engine_hooks:
        hook(engine)
    return engine


def set_meta(connection: Connection, key: str, value: str) -> None:
    """Set one `archivemeta` value (a plain delete and insert: the same SQL on every database)."""
    connection.execute(text("DELETE FROM archivemeta WHERE key = :key"), {"key": key})
    connection.execute(text("INSERT INTO archivemeta(key, value) VALUES (:key, :value)"), {"key": key, "value": value})


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

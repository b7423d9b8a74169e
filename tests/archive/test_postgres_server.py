"""The test PostgreSQL server itself: a real server that the archive's engine reaches."""

from sqlalchemy import text

from archive.db import make_engine
from archive.settings import Settings


def test_archive_schema_is_created_on_a_real_postgres_server(postgres_url: str, tmp_path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path, database_url=postgres_url))
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar_one()
        tables = set(connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    assert int(str(version).split(".")[0]) >= 13
    assert {"document", "passage", "ingestjob", "person"} <= tables
    engine.dispose()

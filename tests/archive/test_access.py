"""The access decision below the API: the visibility column of older archives, near-duplicate folding, the cache of
visible passages."""

from __future__ import annotations

import sqlite3

from sqlmodel import Session, select

from archive import storage
from archive.access import (
    ANONYMOUS,
    LOCAL,
    VISIBLE_PASSAGES,
    Caller,
    Role,
    Submission,
    Visibility,
    set_visibility,
    visible_condition,
)
from archive.db import make_engine, session_scope
from archive.models import Document, Passage
from archive.settings import Settings
from archive.users import add_user, authenticate
from search.filters import SearchFilters
from tests.indexing.test_jobs import ARTICLE, _republished


def test_documents_of_an_older_archive_become_public(tmp_path):
    data = tmp_path / "old"
    data.mkdir()
    with sqlite3.connect(data / "archive.db") as connection:
        connection.execute(
            "CREATE TABLE document (id INTEGER PRIMARY KEY, sha256 VARCHAR(64) NOT NULL, source VARCHAR NOT NULL, "
            "title VARCHAR NOT NULL, text VARCHAR NOT NULL, created_at DATETIME NOT NULL)"
        )
        connection.execute("INSERT INTO document VALUES (1, 'h', 'a.txt', 'Old', 'Old text.', '2024-01-01')")
    engine = make_engine(Settings(data_dir=data))
    with Session(engine) as session:
        assert session.get_one(Document, 1).visibility == "public"
    engine.dispose()


def test_a_copy_is_folded_only_into_an_original_the_reader_may_see(fake_services, tmp_path):
    original = ARTICLE.read_text()
    (tmp_path / "a_original.txt").write_text(original)
    (tmp_path / "b_copy.txt").write_text(_republished(original))
    restricted = Submission(visibility=Visibility.restricted)
    [first] = fake_services.ingestor.ingest([tmp_path / "a_original.txt"], submission=restricted)
    [copy] = fake_services.ingestor.ingest([tmp_path / "b_copy.txt"])
    query = "court toughened the sentence of jailed activist Akhmetov"
    for caller, shown in ((ANONYMOUS, copy.document_id), (LOCAL, first.document_id)):
        hits = fake_services.searcher.search(query, k=10, filters=SearchFilters(caller=caller))
        assert {hit.document.id for hit in hits} == {shown}, caller


def test_visible_passages_are_cached_per_scope_and_follow_changes(fake_services, tmp_path):
    (tmp_path / "a.txt").write_text("Report\n\nThe court heard the case.\n")
    [outcome] = fake_services.ingestor.ingest([tmp_path / "a.txt"])
    engine = fake_services.engine
    with Session(engine) as session:
        assert VISIBLE_PASSAGES.allowed(session, ANONYMOUS) is None  # nothing hidden: no filter at all
    with session_scope(engine) as session:
        set_visibility(session, session.get_one(Document, outcome.document_id), Visibility.internal, None)
    viewer = Caller(name="v", role=Role.viewer)
    with Session(engine) as session:
        hidden = VISIBLE_PASSAGES.allowed(session, ANONYMOUS)
        assert hidden is not None and hidden.size == 0
        assert VISIBLE_PASSAGES.allowed(session, viewer) is None
        assert VISIBLE_PASSAGES.allowed(session, LOCAL) is None
    (tmp_path / "b.txt").write_text("Second report\n\nThe appeal was heard.\n")
    (tmp_path / "c.txt").write_text("Third report\n\nThe witness spoke.\n")
    [public] = fake_services.ingestor.ingest([tmp_path / "b.txt"])
    [secret] = fake_services.ingestor.ingest(
        [tmp_path / "c.txt"], submission=Submission(visibility=Visibility.restricted)
    )
    with Session(engine) as session:
        anonymous = VISIBLE_PASSAGES.allowed(session, ANONYMOUS)  # extended by the new documents' passages
        visible_to_viewer = VISIBLE_PASSAGES.allowed(session, viewer)  # was everything, now one is hidden
        ids = dict(session.exec(select(Passage.document_id, Passage.id)).all())
    assert anonymous is not None and anonymous.tolist() == [ids[public.document_id]]
    assert visible_to_viewer is not None
    assert visible_to_viewer.tolist() == sorted([ids[outcome.document_id], ids[public.document_id]])


def test_users_keys_and_visibility_on_postgres(postgres_url: str, tmp_path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path, database_url=postgres_url))
    with session_scope(engine) as session:
        key = add_user(session, "test", "rex", Role.researcher, ["witness"])
        for number, visibility in enumerate(("public", "internal", "restricted", "restricted"), start=1):
            session.add(Document(id=number, sha256=str(number), source="s", title="t", text="x", visibility=visibility))
        session.flush()
        set_visibility(session, session.get_one(Document, 3), None, ["witness"])
    with Session(engine) as session:
        rex = authenticate(session, key)
        for caller, expected in ((ANONYMOUS, [1]), (rex, [1, 2, 3]), (LOCAL, [1, 2, 3, 4])):
            documents = storage.list_documents(session, where=visible_condition(caller))
            assert [d.id for d in documents] == expected, caller
    engine.dispose()

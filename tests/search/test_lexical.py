"""Lexical search stays bounded on common words and keeps its results for rare ones."""

import pytest
from sqlmodel import Session

from indexing import lexical_index
from indexing.pipeline import collect_files
from search import lexical


@pytest.fixture
def archive(each_fake_services, tmp_path):
    fake_services = each_fake_services
    for number in range(12):
        (tmp_path / f"doc{number}.txt").write_text(
            f"Court record {number}\n\n"
            + "\n\n".join(f"The court heard case {number}-{i} in the court of appeal." for i in range(12))
            + f"\n\nOnly this report names the witness Zhaksylykova{number}."
        )
    fake_services.ingestor.ingest(list(collect_files([tmp_path])))
    lexical_index.clear_cache()
    return fake_services


def _search(services, query, k=10, allowed=None):
    with Session(services.engine) as session:
        return lexical.lexical_search(session, query, k, allowed)


def test_unbounded_on_a_small_archive(archive):
    assert len(_search(archive, "court")) == 10
    assert _search(archive, "court appeal")  # nothing is dropped below MAX_TERM_DOCS


def test_common_terms_are_dropped_and_rare_terms_keep_their_results(archive, monkeypatch):
    rare = _search(archive, "Zhaksylykova3")
    assert len(rare) == 1
    monkeypatch.setattr(lexical, "MAX_TERM_DOCS", 3)  # "court" is now far too common to rank by
    lexical_index.clear_cache()
    assert _search(archive, "the court") == []  # only common words: the dense side answers
    assert _search(archive, "court Zhaksylykova3") == rare  # the rare word alone decides
    with Session(archive.engine) as session:
        kept = lexical.bounded_terms(session.connection(), lexical.query_terms("court appeal Zhaksylykova3"))
    assert [t.token for t in kept] == ["zhaksylykova3"]


def test_a_filter_keeps_the_ranking_of_the_allowed_passages(archive):
    everything = _search(archive, "court", k=100)
    allowed = sorted(i for i, _ in everything)[::2]
    filtered = _search(archive, "court", k=5, allowed=allowed)
    assert filtered == [(i, score) for i, score in everything if i in set(allowed)][:5]
    assert _search(archive, "court", k=5, allowed=[]) == []


def test_scores_summed_term_by_term_equal_the_or_query_of_fts5(fake_services, tmp_path):
    """The one-term-at-a-time scoring gives FTS5's own BM25 of the OR-query, prefix terms included."""
    from sqlalchemy import text

    texts = [
        "The court in Almaty sentenced Akhmetova to five years.",
        "Akhmetov and Akhmetova appealed; the appeal court upheld the sentence of the court.",
        "Суд приговорил Ахметову к пяти годам колонии.",
        "Observers said the hearing was closed to the press.",
        "The court of appeal heard the case of the journalist.",
    ]
    for number, body in enumerate(texts):
        (tmp_path / f"doc{number}.txt").write_text(f"Record {number}\n\n{body}", encoding="utf-8")
    fake_services.ingestor.ingest(list(collect_files([tmp_path])))
    lexical_index.clear_cache()
    with Session(fake_services.engine) as session:
        connection = session.connection()
        terms = lexical.query_terms("Ахметова суд court appeal")
        assert any(term.prefix for term in terms)
        ours = lexical.bm25_search(connection, terms, 100)
        expression = " OR ".join(term.expression for term in terms)
        theirs = connection.execute(
            text(
                "SELECT rowid, -bm25(passage_fts) FROM passage_fts WHERE passage_fts MATCH :e"
                " ORDER BY bm25(passage_fts), rowid"
            ),
            {"e": expression},
        ).all()
    assert [i for i, _ in ours] == [row[0] for row in theirs] and len(ours) == 4
    assert [score for _, score in ours] == pytest.approx([row[1] for row in theirs], rel=1e-9)


@pytest.fixture
def multilingual_archive(fake_services, tmp_path):
    """Three languages on SQLite (see test_russian_and_kazakh_words_meet_their_inflected_forms for both databases)."""
    return _multilingual(fake_services, tmp_path)


def _multilingual(fake_services, tmp_path):
    texts = {
        "ru.txt": "Приговор активисту\n\nСуд приговорил активистов к пяти годам колонии за участие в митинге.",
        "kk.txt": "Гидра туралы\n\nГидраның денесі қарапайым, ол тұщы суда тіршілік етеді.",
        "en.txt": "Court ruling\n\nThe court sentenced the activists to five years in a penal colony.",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    fake_services.ingestor.ingest(list(collect_files([tmp_path])))
    lexical_index.clear_cache()
    return fake_services


def _sources(services, query):
    from archive import storage

    with Session(services.engine) as session:
        ids = [i for i, _ in lexical.lexical_search(session, query, 10)]
        return {document.source for _, document in storage.passages_with_documents(session, ids).values()}


def test_russian_and_kazakh_words_meet_their_inflected_forms(each_fake_services, tmp_path):
    multilingual_archive = _multilingual(each_fake_services, tmp_path)
    assert _sources(multilingual_archive, "приговор активисты") == {"ru.txt"}
    assert _sources(multilingual_archive, "гидра") == {"kk.txt"}
    assert _sources(multilingual_archive, "sentencing activist") == {"en.txt"}


def test_latin_spellings_of_cyrillic_words_are_marked_as_crossing_scripts():
    terms = lexical.query_terms("Суд над Есхожиным")
    assert [t.token for t in terms if not t.cross_script] == ["суд", "есхожин"]
    assert all(t.token.isascii() for t in terms if t.cross_script)


def test_an_archive_made_by_an_earlier_version_is_reindexed_when_opened(multilingual_archive):
    from sqlalchemy import text

    from archive.db import make_engine
    from indexing.lexical_schema import LEXICAL_META_KEY

    with multilingual_archive.engine.begin() as connection:  # the FTS table of earlier versions: no stemming
        for statement in (
            "DROP TRIGGER passage_fts_insert",
            "DROP TABLE passage_fts",
            "CREATE VIRTUAL TABLE passage_fts USING fts5(text, content='passage', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')",
            "INSERT INTO passage_fts(passage_fts) VALUES ('rebuild')",
        ):
            connection.execute(text(statement))
        connection.execute(text("DELETE FROM archivemeta WHERE key = :key"), {"key": LEXICAL_META_KEY})
    lexical_index.clear_cache()
    assert _sources(multilingual_archive, "гидра") == set()  # "гидраның" is not "гидра" without stemming
    make_engine(multilingual_archive.settings)
    lexical_index.clear_cache()
    assert _sources(multilingual_archive, "гидра") == {"kk.txt"}


def test_the_lexical_index_follows_every_write_to_the_passages(archive):
    from sqlalchemy import delete, func, select

    from archive.db import session_scope
    from archive.models import Mention, Passage

    [(passage_id, _)] = _search(archive, "Zhaksylykova3")
    with session_scope(archive.engine) as session:  # a passage's text changed: its terms follow
        passage = session.get(Passage, passage_id)
        passage.text = "Only this report names the witness Qaiyrbekova."
        session.add(passage)
    lexical_index.clear_cache()
    assert _search(archive, "Zhaksylykova3") == []
    assert [i for i, _ in _search(archive, "Qaiyrbekova")] == [passage_id]
    with session_scope(archive.engine) as session:  # passages deleted: their rows go with them
        gone = list(session.execute(select(Passage.id).where(Passage.document_id == 2)).scalars())
        session.execute(delete(Mention).where(Mention.passage_id.in_(gone)))
        session.execute(delete(Passage).where(Passage.id.in_(gone)))
    with Session(archive.engine) as session:
        total = session.execute(select(func.count()).select_from(Passage)).scalar_one()
        assert lexical_index.indexed_passages(session) == total and gone and total > 0

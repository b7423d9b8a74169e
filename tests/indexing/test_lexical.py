"""Lexical search stays bounded on common words and keeps its results for rare ones."""

import pytest
from sqlmodel import Session

from indexing import lexical
from indexing.pipeline import collect_files


@pytest.fixture
def archive(fake_services, tmp_path):
    for number in range(12):
        (tmp_path / f"doc{number}.txt").write_text(
            f"Court record {number}\n\n"
            + "\n\n".join(f"The court heard case {number}-{i} in the court of appeal." for i in range(12))
            + f"\n\nOnly this report names the witness Zhaksylykova{number}."
        )
    fake_services.ingestor.ingest(list(collect_files([tmp_path])))
    lexical._df_cache.clear()
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
    lexical._df_cache.clear()
    assert _search(archive, "the court") == []  # only common words: the dense side answers
    assert _search(archive, "court Zhaksylykova3") == rare  # the rare word alone decides
    with Session(archive.engine) as session:
        kept = lexical.bounded_terms(session.connection(), lexical.query_terms("court appeal Zhaksylykova3"))
    assert [t.token for t in kept] == ["zhaksylykova3"]


def test_large_filters_are_applied_after_ranking_with_the_same_results(archive, monkeypatch):
    everything = _search(archive, "court", k=100)
    allowed = sorted(i for i, _ in everything)[::2]
    in_sql = _search(archive, "court", k=5, allowed=allowed)
    monkeypatch.setattr(lexical, "MAX_SQL_FILTER_IDS", 0)
    assert _search(archive, "court", k=5, allowed=allowed) == in_sql
    assert all(i in set(allowed) for i, _ in in_sql) and len(in_sql) == 5

"""The lexical index on PostgreSQL ranks as SQLite's FTS5 does: same terms, same BM25, same top results."""

import pytest
from sqlmodel import Session

from api.services import Services
from archive.models import Document, Passage
from indexing import lexical_index
from search import lexical
from search.evaluation import evaluate, load_questions
from tests.conftest import QUESTIONS

pytestmark = pytest.mark.postgres

QUERIES = (
    "Judge Aralbai Nagashibayev",  # a name, English
    "hunger strike in the colony",
    "Какой срок получил Ербол Есхожин?",  # Russian: stems, and Latin prefixes of the names
    "Есхожинге қандай үкім шығарылды?",  # Kazakh: Kazakh stems, a Latin prefix of the name
    "Ахметов соттың үкімі",
    "café résumé naïve",  # diacritics folded as FTS5 folds them
)


def _keyed(services: Services, ranked: list[tuple[int, float]]) -> list[tuple[str, int, float]]:
    """(document sha256, passage ordinal, score): the same passage in both archives whatever its id."""
    with Session(services.engine) as session:
        rows = [(session.get(Passage, i), score) for i, score in ranked]
        return [(session.get(Document, p.document_id).sha256, p.ordinal, score) for p, score in rows if p]


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_ranking_is_the_same_on_both_databases(sqlite_seed_services, postgres_seed_services, query):
    results = []
    for services in (sqlite_seed_services, postgres_seed_services):
        with Session(services.engine) as session:
            results.append(_keyed(services, lexical.lexical_search(session, query, 20)))
    on_sqlite, on_postgres = results
    assert [key[:2] for key in on_postgres] == [key[:2] for key in on_sqlite]
    assert [key[2] for key in on_postgres] == pytest.approx([key[2] for key in on_sqlite], rel=1e-6)
    if "café" not in query:
        assert on_sqlite, query


def test_both_lexical_indexes_hold_every_passage(sqlite_seed_services, postgres_seed_services):
    for services in (sqlite_seed_services, postgres_seed_services):
        with Session(services.engine) as session:
            assert (
                lexical_index.indexed_passages(session)
                == session.connection().exec_driver_sql("SELECT count(*) FROM passage").scalar_one()
            )


def test_the_development_set_scores_the_same_on_both_databases(sqlite_seed_services, postgres_seed_services):
    questions = load_questions(QUESTIONS)
    on_sqlite = evaluate(sqlite_seed_services.searcher, questions, k=5)
    on_postgres = evaluate(postgres_seed_services.searcher, questions, k=5)
    assert on_postgres.overall.recall == on_sqlite.overall.recall
    assert on_postgres.overall.mrr == pytest.approx(on_sqlite.overall.mrr)
    assert on_postgres.misses == on_sqlite.misses

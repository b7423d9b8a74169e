"""Smoke test of the benchmark code at a tiny size (timings are benchmarks, not tests)."""

import numpy as np
from sqlalchemy import text
from sqlmodel import Session

from archive.db import make_engine
from archive.settings import Settings
from benchmarks.query import make_queries
from benchmarks.synthetic import Seed, build_archive, seed_sentences
from indexing.index_store import IndexStore
from indexing.vector_index import IVF_SQ8, IndexSpec
from search.lexical import lexical_search


def test_synthetic_archive_is_consistent_and_searchable(tmp_path):
    sentences = seed_sentences()
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(sentences), 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    spec = IndexSpec("bench", "synthetic", 32)
    settings = Settings(data_dir=tmp_path / "archive", exact_index_threshold=1000)
    timings = build_archive(
        settings,
        2000,
        Seed(sentences, vectors),
        spec={"backend": spec.backend, "model": spec.model, "dim": spec.dim},
        batch=700,
        log=None,
    )
    assert timings["documents"] == 100
    engine = make_engine(settings)
    with Session(engine) as session:
        connection = session.connection()
        bad = connection.execute(
            text(
                "SELECT count(*) FROM passage p JOIN document d ON d.id = p.document_id"
                " WHERE substr(d.text, p.char_start + 1, p.char_end - p.char_start) != p.text"
            )
        ).scalar()
        assert bad == 0
        assert connection.execute(text("SELECT count(*) FROM passage")).scalar() == 2000
        assert lexical_search(session, "Kazakhstan court", 10)  # the FTS index was rebuilt
        trigger = connection.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name='passage_fts_insert'")
        ).scalar()
        assert trigger == 1  # restored after the bulk load
    store = IndexStore(engine, settings, spec)
    store.rebuild()
    assert store.index.kind == IVF_SQ8 and len(store.index) == 2000
    assert len(store.search(vectors[0], 10)) == 10
    queries = make_queries(120, np.random.default_rng(1))
    assert len(queries) == len(set(queries)) == 120
    engine.dispose()


def test_the_lexical_benchmark_ranks_alike_on_both_databases(tmp_path, postgres_url):
    from argparse import Namespace

    from benchmarks.lexical import run

    sentences = seed_sentences()
    vectors = np.random.default_rng(0).standard_normal((len(sentences), 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    args = Namespace(database_url=postgres_url, passages=600, queries=60)
    report = run(args, seed=Seed(sentences, vectors), folder=tmp_path)
    assert report["passages"] == 600 and report["queries"] == 60
    assert report["same_top10"] == 1.0  # every query's ten best lexical candidates agree
    assert report["postgres_lexical_ms"]["p50"] > 0 and report["sqlite_lexical_ms"]["p50"] > 0


def test_the_memory_benchmark_measures_a_real_ingest_and_its_files_have_the_size_asked(tmp_path):
    import pymupdf

    from benchmarks.ingest_memory import run_ingest, write_pdf, write_text

    text = write_text(tmp_path / "long.txt", 0.05)
    assert 50_000 <= text.stat().st_size < 80_000
    with pymupdf.open(write_pdf(tmp_path / "long.pdf", 3)) as pdf:
        assert pdf.page_count == 3 and "Almaty" in pdf[2].get_text()
    run = run_ingest(text, tmp_path / "data", real_embedder=False)
    assert run["exit_code"] == 0 and "1 indexed" in run["summary"], run
    assert 100 < run["peak_rss_mb"] < 1024, run

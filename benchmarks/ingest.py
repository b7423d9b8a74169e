"""End-to-end ingest time against the bare embedder on the same texts.

    python -m benchmarks.ingest [PATH ...] [--rounds 2] [--json]

Ingests the bundled corpus (or PATHs) into a fresh temporary archive with the real pipeline
(``Services.open(...).ingestor.ingest``), reads back the texts the pipeline embedded
(``embedding_text(document.title, passage.text)`` of every stored passage, each distinct text once: the passages'
text embedded once) and embeds exactly those with the bare embedder, in the same process, after a warm-up, with the
threads the pipeline gets (its share of the cores among the processes embedding on the machine).
Rounds alternate the order (ingest, bare; then bare, ingest; ...) so neither side profits from a warmer machine.
Prints both totals, tokens/s and the ratio (target: ingest <= 1.15 x bare embedder), how far the ETA shown after
the first minute was from the real end (the extremes, as a share of the ingest's time), and the load average.

    python -m benchmarks.ingest --workers 1,2 [--threads T] [--database-url URL] [--documents 16] [--json]

measures the throughput of N `archive worker` processes on PostgreSQL instead (see benchmarks.ingest_workers).

    python -m benchmarks.ingest --memory [--text-mb 200] [--ingested-text-mb 10] [--pdf-pages 1000] [--real-embedder]

measures the peak memory of `archive ingest` on a very long text and a PDF of many pages (benchmarks.ingest_memory).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlmodel import Session, col, select

from api.services import Services
from archive.models import Document, Passage
from archive.settings import Settings
from indexing.chunk import embedding_text
from indexing.pipeline import collect_files
from indexing.reembed import passage_content
from indexing.threads import MachineShare, use_openmp_threads

ROOT = Path(__file__).resolve().parent.parent
ETA_SAMPLE_S = 5.0
ETA_AFTER_S = 60.0  # the ETA is judged from the first minute on


def eta_errors(etas: list[tuple[float, float]], seconds: float) -> list[float]:
    """For each ETA shown after the first minute: (elapsed + ETA) / actual end - 1 (0 is exact)."""
    return [round((elapsed + eta) / seconds - 1, 3) for elapsed, eta in etas if elapsed >= ETA_AFTER_S]


def ingest_once(
    files: list[Path], workdir: str | None, etas: list[tuple[float, float]]
) -> tuple[float, list[str], int]:
    """Ingest ``files`` into a fresh archive; return (seconds, distinct embedded texts, passages). The ETA shown
    while it runs is appended to ``etas`` every ETA_SAMPLE_S seconds as (elapsed, eta)."""
    tmp = Path(tempfile.mkdtemp(prefix="archive-ingest-bench-", dir=workdir))
    try:
        t0 = time.perf_counter()
        services = Services.open(Settings(data_dir=tmp / "archive"))
        done = threading.Event()

        def sample() -> None:
            while not done.wait(ETA_SAMPLE_S):
                eta = services.ingestor.progress.snapshot()["eta_s"]
                if eta is not None:
                    etas.append((time.perf_counter() - t0, eta))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            outcomes = services.ingestor.ingest(files)
        finally:
            done.set()
            services.close()
        seconds = time.perf_counter() - t0
        failed = [o for o in outcomes if o.state.value == "failed"]
        if failed:
            raise SystemExit(f"ingest failed: {failed}")
        with Session(services.engine) as session:
            rows = session.exec(select(Document.title, Passage).join(Document).order_by(col(Passage.id))).all()
        services.engine.dispose()
        texts = list(dict.fromkeys(embedding_text(title, passage_content(passage)) for title, passage in rows))
        return seconds, texts, len(rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bare_once(embedder, texts: list[str]) -> float:
    """Seconds the embedder takes over `texts` in one call, with the threads the pipeline would have now (its share
    of the machine's cores among the processes that embed on it), so that both sides run on the same cores."""
    with MachineShare() as share:
        use_openmp_threads(share.threads())
        t0 = time.perf_counter()
        embedder.embed_passages(texts)
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "corpus"])
    parser.add_argument("--rounds", type=int, default=2, help="ingest/bare pairs, alternating order")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument(
        "--workers", help="comma-separated worker counts, e.g. 1,2: `archive worker` processes on PostgreSQL"
    )
    parser.add_argument("--database-url", help="with --workers: a PostgreSQL server (default: a throwaway one)")
    parser.add_argument("--documents", type=int, default=16, help="with --workers: synthetic documents per run")
    parser.add_argument("--threads", type=int, help="with --workers: CPU threads per worker (default: cores / N)")
    parser.add_argument("--memory", action="store_true", help="peak memory of very long files instead")
    parser.add_argument("--text-mb", type=float, default=200, help="with --memory: the text past the size limit")
    parser.add_argument("--ingested-text-mb", type=float, default=10, help="with --memory: the text ingested")
    parser.add_argument("--pdf-pages", type=int, default=1000, help="with --memory: the PDF's pages")
    parser.add_argument("--real-embedder", action="store_true", help="with --memory: the bundled model, not a fake")
    args = parser.parse_args(argv)
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    if args.memory:
        from benchmarks.ingest_memory import benchmark as memory_benchmark

        report = memory_benchmark(args.text_mb, args.ingested_text_mb, args.pdf_pages, args.real_embedder, say)
        print(json.dumps(report) if args.json else json.dumps(report, indent=2))
        return
    if args.workers:
        from benchmarks.ingest_workers import benchmark

        counts = [int(n) for n in args.workers.split(",")]
        report = benchmark(counts, args.documents, args.database_url, say, args.threads)
        print(json.dumps(report) if args.json else json.dumps(report, indent=2))
        return

    from indexing.embed import create_embedder
    from indexing.persons import find_person_mentions

    files = list(collect_files(args.paths))
    embedder = create_embedder(Settings())  # the process-wide model the pipeline uses too
    embedder.embed_passages(["warm-up: the model is loaded and its caches are hot"] * 4)
    find_person_mentions("Warm-up: the NER model is loaded too, as Judge Zhanas Quanyshev said.")  # both models warm

    ingest_s: list[float] = []
    bare_s: list[float] = []
    texts: list[str] = []
    passages = 0
    errors: list[float] = []
    for r in range(max(1, args.rounds)):
        etas: list[tuple[float, float]] = []
        if r % 2 == 0:
            seconds, texts, passages = ingest_once(files, args.workdir, etas)
            ingest_s.append(seconds)
            bare_s.append(bare_once(embedder, texts))
        else:
            bare_s.append(bare_once(embedder, texts))
            seconds, texts, passages = ingest_once(files, args.workdir, etas)
            ingest_s.append(seconds)
        errors += eta_errors(etas, seconds)
        say(
            f"round {r + 1}: ingest {ingest_s[-1]:.2f}s, bare embedder {bare_s[-1]:.2f}s "
            f"({ingest_s[-1] / bare_s[-1]:.3f}x), load average {os.getloadavg()[0]:.2f}"
        )

    model = getattr(embedder, "_model", None)
    tokens = sum(model.token_count(t) for t in texts) if hasattr(model, "token_count") else None
    total_ingest, total_bare = sum(ingest_s), sum(bare_s)
    result = {
        "files": len(files),
        "passages": passages,
        "embedded_texts": len(texts),
        "tokens": tokens,
        "rounds": len(ingest_s),
        "ingest_s": round(total_ingest / len(ingest_s), 2),
        "bare_embed_s": round(total_bare / len(bare_s), 2),
        "ratio": round(total_ingest / total_bare, 3),
        "bare_tokens_per_s": round(tokens / (total_bare / len(bare_s))) if tokens else None,
        "ingest_tokens_per_s": round(tokens / (total_ingest / len(ingest_s))) if tokens else None,
        "eta_error_after_1_min": [min(errors), max(errors)] if errors else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()

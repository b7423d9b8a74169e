"""Quote check latency on the seed corpus against its raw component (one query embedding + one FAISS search).

    python -m benchmarks.quotes [--data-dir DIR] [--quotes 200] [--json]

Uses the archive in DIR (the bundled corpus is ingested first when DIR has no documents; without --data-dir, into a
temporary archive). The quotes are made from the corpus' own sentences, each used once so no cache answers them:
exact sentences, cosmetic variants (lower case, no punctuation), altered ones (a number or a word changed), cut
ones (the first two thirds), plus a few translations, a paraphrase and unrelated sentences. Each quote is checked
with `QuoteChecker.check` and, in alternating order, embedded and searched in FAISS alone. Prints p50/p95 of both
and their ratio (target: quote check p50 <= 100 ms).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlmodel import Session

from api.services import Services
from archive import storage
from archive.settings import Settings
from indexing.chunk import sentence_spans
from indexing.pipeline import collect_files

ROOT = Path(__file__).resolve().parent.parent
MEANING_QUOTES = (
    "18 октября 2007 года суд приговорил Атабека к 18 годам лишения свободы.",
    "2007 жылғы 18 қазанда сот Атабекті 18 жылға бас бостандығынан айырды.",
    "Казахские власти настаивают, что в стране нет политических заключенных.",
    "In October 2007 a judge gave Atabek an eighteen-year prison term.",
    "The recipe calls for two cups of flour and a pinch of salt.",
    "The weather in Paris was sunny and warm last weekend.",
)


def corpus_quotes(services: Services, n: int, rng: np.random.Generator) -> list[str]:
    """Distinct quotes made from the archive's sentences: exact, cosmetic, altered and truncated, in turn."""
    with Session(services.engine) as session:
        texts = [d.text for d in storage.list_documents(session, limit=1000)]
    sentences = [" ".join(t[s:e].split()) for t in texts for s, e in sentence_spans(t)]
    sentences = [s for s in dict.fromkeys(sentences) if 8 <= len(s.split()) <= 60]
    picked = [sentences[i] for i in rng.permutation(len(sentences))[:n]]
    quotes = []
    for i, sentence in enumerate(picked):
        words = sentence.split()
        kind = i % 4
        if kind == 1:
            sentence = re.sub(r"[^\w\s]", "", sentence).lower()
        elif kind == 2:
            at = int(rng.integers(len(words)))
            words[at] = str(int(words[at]) + 3) if words[at].isdigit() else "never"
            sentence = " ".join(words)
        elif kind == 3:
            sentence = " ".join(words[: max(4, len(words) * 2 // 3)])
        quotes.append(sentence)
    return list(dict.fromkeys(quotes))


def percentiles(times: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in times)
    return {"p50": round(statistics.median(ms), 1), "p95": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1)}


def run(services: Services, n: int) -> dict:
    quotes = corpus_quotes(services, n, np.random.default_rng(7)) + list(MEANING_QUOTES)
    services.quotes.check("warm-up: the court sentenced the activist", k=3)  # loads the model
    services.index.search(services.embedder.embed_query("warm-up"), 3)
    check_times, raw_times, verdicts = [], [], {}
    for i, quote in enumerate(quotes):

        def timed_check() -> None:
            t0 = time.perf_counter()
            matches = services.quotes.check(quote, k=3)
            check_times.append(time.perf_counter() - t0)
            verdict = matches[0].verdict.value if matches else "none"
            verdicts[verdict] = verdicts.get(verdict, 0) + 1

        def timed_raw() -> None:
            t0 = time.perf_counter()
            services.index.search(services.embedder.embed_query(quote), 3)
            raw_times.append(time.perf_counter() - t0)

        for step in (timed_check, timed_raw) if i % 2 == 0 else (timed_raw, timed_check):
            step()
    check, raw = percentiles(check_times), percentiles(raw_times)
    return {
        "quotes": len(quotes),
        "check_ms": check,
        "raw_ms": raw,
        "ratio_p50": round(check["p50"] / raw["p50"], 2),
        "verdicts": verdicts,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="an archive to use (the corpus is ingested when it is empty)")
    parser.add_argument("--quotes", type=int, default=200, help="quotes made from the corpus' sentences")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="archive-quotes-bench-"))
    services = Services.open(Settings(data_dir=data_dir))
    try:
        with Session(services.engine) as session:
            empty = storage.count_documents(session) == 0
        if empty:
            services.ingestor.ingest(list(collect_files([ROOT / "corpus"])))
        report = run(services, args.quotes)
    finally:
        services.close()
    if args.json:
        print(json.dumps(report))
        return
    print(f"{report['quotes']} quotes; verdicts of the best match: {report['verdicts']}")
    print(f"quote check        p50 {report['check_ms']['p50']:>7.1f} ms   p95 {report['check_ms']['p95']:>7.1f} ms")
    print(f"embed + FAISS only p50 {report['raw_ms']['p50']:>7.1f} ms   p95 {report['raw_ms']['p95']:>7.1f} ms")
    print(f"ratio (p50)        {report['ratio_p50']:.2f}")


if __name__ == "__main__":
    main()

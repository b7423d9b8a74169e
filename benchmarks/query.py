"""HTTP search latency, ANN recall and memory on a synthetic archive of N passages.

    python -m benchmarks.query --passages 1000000 [--queries 300] [--json]

Builds a synthetic archive (``benchmarks/synthetic.py``: realistic text, vectors near the real distribution,
inserted without the model), builds the vector index as the archive would (``IndexStore.rebuild``: exact below
``exact_index_threshold``, IVF above), measures recall@10 of that index against exact search on the same vectors for
the real query embeddings, then starts ``archive serve`` in a subprocess on 127.0.0.1 and sends the queries (English,
Russian, Kazakh; rare names and common words; a few filtered by document) one after another over HTTP, timing each
request on the client (query embedding, dense + lexical candidates, re-ranking with the stored sentence vectors and
the database fetch included).

Prints the figures; with ``--json`` the last line is one JSON object with ``p50_ms``, ``p95_ms``, ``p99_ms``,
``recall_at_10``, ``rss_mb``, ``index_bytes_per_passage``, ``build_s`` and more.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from archive.settings import Settings
from benchmarks.synthetic import _GIVEN, _SURNAMES, ROOT, build_archive, load_seed

FIXED_QUERIES = [
    # common words only (the lexical side must stay bounded on these)
    "the court",
    "human rights",
    "the prison sentence",
    "court case",
    "political prisoners",
    "the activists",
    "суд",
    "права человека",
    "сот",
    "адам құқықтары",
    # English questions
    "Who was sentenced for extremism?",
    "Which activists were detained after the protests?",
    "What did the OSCE say about the trial?",
    "How many years in prison for inciting discord?",
    "Why was the journalist arrested?",
    "Which court rejected the appeal?",
    "Democratic Choice of Kazakhstan",
    "Koshe partiyasy members",
    "criminal case against the opposition",
    "restriction of freedom",
    # Russian / Kazakh questions
    "Кого приговорили к лишению свободы?",
    "Почему арестовали журналиста?",
    "Какой суд отклонил апелляцию?",
    "Сколько лет заключения получил активист?",
    "преследование оппозиции в Казахстане",
    "Кім бас бостандығынан айырылды?",
    "Белсенділер неге ұсталды?",
    "Сот қандай үкім шығарды?",
    "саяси тұтқындар",
    "оппозиция белсендісі қамауға алынды",
]


def make_queries(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct queries: fixed questions, the eval questions, rare names, and fragments of seed sentences."""
    out = list(FIXED_QUERIES)
    questions = ROOT / "tests" / "data" / "questions.jsonl"
    if questions.exists():
        out += [json.loads(line)["query"] for line in questions.read_text().splitlines() if line.strip()]
    from benchmarks.synthetic import seed_sentences

    sentences = seed_sentences()
    i = 0
    while len(out) < n:
        i += 1
        kind = i % 3
        if kind == 0:
            out.append(f"{_GIVEN[rng.integers(len(_GIVEN))]} {_SURNAMES[rng.integers(len(_SURNAMES))]}")
        else:
            words = sentences[rng.integers(len(sentences))].split()
            start = int(rng.integers(0, max(1, len(words) - 6)))
            out.append(" ".join(words[start : start + int(rng.integers(3, 9))]))
        out = list(dict.fromkeys(out))
    return out[:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def exact_topk(queries: np.ndarray, settings: Settings, dim: int, k: int) -> np.ndarray:
    """Brute-force top-k passage ids by inner product over every stored embedding (read back from the database)."""
    from sqlmodel import Session

    from archive import storage
    from archive.db import make_engine

    engine = make_engine(settings)
    best_s = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_i = np.full((len(queries), k), -1, dtype=np.int64)
    with Session(engine) as session:
        for ids, vecs in storage.iter_embeddings(session, dim, batch_size=100_000):
            s = queries @ vecs.T
            kk = min(k, s.shape[1])
            part = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
            cand_s = np.hstack([best_s, np.take_along_axis(s, part, 1)])
            cand_i = np.hstack([best_i, ids[part]])
            keep = np.argsort(-cand_s, axis=1)[:, :k]
            best_s, best_i = np.take_along_axis(cand_s, keep, 1), np.take_along_axis(cand_i, keep, 1)
    engine.dispose()
    return best_i


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentiles(times: list[float]) -> dict[str, float]:
    a = np.asarray(times)
    return {f"p{p}_ms": round(float(np.percentile(a, p)), 2) for p in (50, 95, 99)}


def run(args: argparse.Namespace) -> dict:
    from sqlmodel import Session  # noqa: F401

    from archive.db import make_engine
    from indexing.embed import create_embedder
    from indexing.index_store import IndexStore, record_embedder  # noqa: F401

    work = Path(tempfile.mkdtemp(prefix="archive-bench-", dir=args.workdir))
    try:
        settings = Settings(data_dir=work / "archive", exact_index_threshold=args.exact_threshold)
        embedder = create_embedder(settings)
        spec = embedder.spec
        seed = load_seed(embedder.embed_passages)
        rng = np.random.default_rng(11)
        queries = make_queries(args.queries, rng)

        t0 = time.perf_counter()
        timings = build_archive(
            settings,
            args.passages,
            seed,
            spec={"backend": spec.backend, "model": spec.model, "dim": spec.dim},
            log=None if args.json else print,
        )
        archive_s = time.perf_counter() - t0
        say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
        say(
            f"archive: {args.passages:,} passages, {timings['documents']:,} documents in {archive_s:.0f}s "
            f"(rows {timings['insert_s']:.0f}s, FTS {timings['fts_s']:.0f}s)"
        )

        engine = make_engine(settings)
        store = IndexStore(engine, settings, spec)
        t0 = time.perf_counter()
        store.rebuild()
        build_s = time.perf_counter() - t0
        vi = store.index
        index_bytes = settings.index_path.stat().st_size
        say(f"index: {vi!r} built in {build_s:.1f}s, {index_bytes / args.passages:.0f} bytes/passage")

        # recall@10 of the index the server will load, against exact search on the same stored vectors
        embed_times: list[float] = []  # the embedder alone, one query at a time
        query_vectors = []
        for q in queries:
            t = time.perf_counter()
            query_vectors.append(embedder.embed_query(q))
            embed_times.append((time.perf_counter() - t) * 1000)
        qvecs = np.stack(query_vectors).astype(np.float32)
        truth = exact_topk(qvecs, settings, spec.dim, 10)
        # IndexStore.search is what the server runs: IVF candidates re-scored with the stored embeddings
        hits = sum(len({i for i, _ in store.search(q, 10)} & set(t.tolist())) for q, t in zip(qvecs, truth))
        raw_hits = sum(len({i for i, _ in vi.search(q, 10)} & set(t.tolist())) for q, t in zip(qvecs, truth))
        say(f"recall@10 of the bare FAISS index (no re-scoring) = {raw_hits / (10 * len(queries)):.4f}")
        recall = hits / (10 * len(queries))
        say(f"recall@10 ({vi.kind}) = {recall:.4f} over {len(queries)} queries")
        del store, vi, truth, qvecs
        engine.dispose()

        # The same queries in process, to split the HTTP time: search proper vs. building the response (highlights)
        from api.services import Services

        services = Services.open(settings, embedder=embedder)
        core: list[float] = []
        core_cpu: list[float] = []  # CPU time of the searching thread: what a quiet machine would take
        response: list[float] = []
        semantic: list[float] = []  # highlight=semantic (the web pages): stored sentence vectors, the rest embedded
        from api.schemas import SearchResponse
        from search.highlight import highlighter_for
        from search.searcher import SearchMode

        services.searcher.search("warm-up")
        for q in queries[: args.inprocess_queries]:
            t, c = time.perf_counter(), time.thread_time()
            hits = services.searcher.search(q, k=10)
            core.append((time.perf_counter() - t) * 1000)
            core_cpu.append((time.thread_time() - c) * 1000)
            t = time.perf_counter()
            SearchResponse.of(q, hits, None)  # the API's default: lexical highlight
            response.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            SearchResponse.of(q, hits, highlighter_for(embedder, [hit.passage for hit in hits]))
            semantic.append((time.perf_counter() - t) * 1000)

        # Search work alone, the query vector cached: the full search beside its dense half (the raw component).
        full_cached: list[float] = []
        dense_core: list[float] = []
        for q in queries[: args.inprocess_queries]:
            for mode, times in ((SearchMode.hybrid, full_cached), (SearchMode.dense, dense_core)):
                t = time.perf_counter()
                services.searcher.search(q, k=10, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
        services.index.save()
        services.engine.dispose()
        del services
        say(
            f"in process: search {percentiles(core)}, response with lexical highlights {percentiles(response)}, "
            f"with semantic highlights {percentiles(semantic)}"
        )
        rerank_ratio = percentiles(full_cached)["p50_ms"] / percentiles(dense_core)["p50_ms"]
        say(f"in process, query embedding alone: {percentiles(embed_times)}")
        say(
            f"in process, query vector cached: full search {percentiles(full_cached)}, dense half alone "
            f"{percentiles(dense_core)}; the full search takes {rerank_ratio:.2f}x the dense half at p50"
        )

        port = free_port()
        env = dict(
            os.environ, ARCHIVE_DATA_DIR=str(settings.data_dir), ARCHIVE_EXACT_INDEX_THRESHOLD=str(args.exact_threshold)
        )
        log_path = work / "server.log"
        with open(log_path, "wb") as log_file:
            server = subprocess.Popen(
                [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        try:
            import httpx

            base = f"http://127.0.0.1:{port}"
            t0 = time.perf_counter()
            health = None
            with httpx.Client(base_url=base, timeout=60) as client:
                while time.perf_counter() - t0 < args.startup_timeout:
                    if server.poll() is not None:
                        raise RuntimeError(f"the server exited: {log_path.read_text()[-2000:]}")
                    try:
                        health = client.get("/health").json()
                        break
                    except httpx.TransportError:
                        time.sleep(0.5)
                if health is None:
                    raise RuntimeError("the server did not answer /health in time")
                startup_s = time.perf_counter() - t0
                say(f"server up in {startup_s:.1f}s: {health}")
                for warm in ("warm-up query", "прогрев", "court ruling warm"):
                    client.get("/search", params={"q": warm, "k": 10}).raise_for_status()
                times: list[float] = []
                common: list[float] = []
                cpu_before = cpu_s(server.pid)
                for i, q in enumerate(queries):
                    t = time.perf_counter()
                    r = client.get("/search", params={"q": q, "k": 10})
                    dt = (time.perf_counter() - t) * 1000
                    r.raise_for_status()
                    times.append(dt)
                    if i < 10:
                        common.append(dt)
                server_cpu_ms = (cpu_s(server.pid) - cpu_before) * 1000 / len(queries)
                filtered: list[float] = []
                docs = max(1, args.passages // 20)
                for q in queries[: args.filtered_queries]:
                    t = time.perf_counter()
                    r = client.get(
                        "/search", params={"q": q + " filtered", "k": 10, "document_id": int(rng.integers(1, docs + 1))}
                    )
                    filtered.append((time.perf_counter() - t) * 1000)
                    r.raise_for_status()
                rss = rss_mb(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        result = {
            "passages": args.passages,
            "queries": len(times),
            **percentiles(times),
            "common_words_max_ms": round(max(common), 2),
            "filtered_p50_ms": percentiles(filtered)["p50_ms"] if filtered else None,
            "filtered_p99_ms": percentiles(filtered)["p99_ms"] if filtered else None,
            "load_average": round(os.getloadavg()[0], 2),
            "server_cpu_ms_per_query": round(server_cpu_ms, 2),
            "search_only_cpu_p50_ms": percentiles(core_cpu)["p50_ms"],
            "search_only_cpu_p99_ms": percentiles(core_cpu)["p99_ms"],
            "search_only_p50_ms": percentiles(core)["p50_ms"],
            "query_embedding_p50_ms": percentiles(embed_times)["p50_ms"],
            "full_cached_vector_p50_ms": percentiles(full_cached)["p50_ms"],
            "full_cached_vector_p99_ms": percentiles(full_cached)["p99_ms"],
            "dense_only_p50_ms": percentiles(dense_core)["p50_ms"],
            "dense_only_p99_ms": percentiles(dense_core)["p99_ms"],
            "full_vs_dense_p50_ratio": round(rerank_ratio, 3),
            "search_only_p99_ms": percentiles(core)["p99_ms"],
            "highlight_p50_ms": percentiles(response)["p50_ms"],
            "highlight_p99_ms": percentiles(response)["p99_ms"],
            "semantic_highlight_p50_ms": percentiles(semantic)["p50_ms"],
            "recall_at_10": round(recall, 4),
            "recall_at_10_faiss_only": round(raw_hits / (10 * len(queries)), 4),
            "rss_mb": round(rss, 1),
            "index_bytes_per_passage": round(index_bytes / args.passages, 1),
            "index_kind": health["index_kind"],
            "build_s": round(build_s, 1),
            "archive_s": round(archive_s, 1),
            "server_startup_s": round(startup_s, 1),
        }
        return result
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--filtered-queries", type=int, default=30)
    parser.add_argument("--inprocess-queries", type=int, default=100, help="also timed in process, without HTTP")
    parser.add_argument("--exact-threshold", type=int, default=Settings().exact_index_threshold)
    parser.add_argument("--workdir", default=None, help="where the temporary archive goes (default: $TMPDIR)")
    parser.add_argument("--startup-timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="keep the temporary archive")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    from indexing.threads import limit_threads

    # The client embeds the queries for recall with one thread, like the server (index builds set their own count).
    limit_threads(1)
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>26}: {value}")


if __name__ == "__main__":
    main()

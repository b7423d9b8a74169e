"""One writer at a time: an exclusive `flock` on a file in the data folder.

Whoever processes ingest jobs (the server's worker, `archive ingest`, `archive retry`) holds it; searches never
take it (SQLite in WAL mode lets readers go on while one process writes). The kernel releases the lock when its
holder dies, even by SIGKILL, so a crash never leaves the archive locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path


class WriterLock:
    """An exclusive, non-reentrant lock on `path` (flock conflicts between open files, even in one process)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, timeout: float | None = 0.0, poll_s: float = 0.2) -> bool:
        """Take the lock; wait up to `timeout` seconds (None: forever). Returns whether it was taken."""
        if self._fd is not None:
            raise RuntimeError("the writer lock is already held by this object")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(poll_s)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def holder_pid(self) -> int | None:
        """The process id written by the current (or last) holder, if readable."""
        try:
            return int(self.path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def acquire_or_wait(self, on_wait: Callable[[int | None], None]) -> None:
        """Take the lock, calling `on_wait(holder_pid)` first when another process holds it (then wait for it)."""
        if not self.acquire(timeout=0):
            on_wait(self.holder_pid())
            self.acquire(timeout=None)

    def __enter__(self) -> WriterLock:
        self.acquire(timeout=None)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


class NoWriterLock:
    """The writer lock of an archive on a database server: there is none to take (its workers claim jobs row by
    row, see indexing.job_states), so it is always granted."""

    def acquire(self, timeout: float | None = 0.0, poll_s: float = 0.2) -> bool:
        return True

    def release(self) -> None:
        return None

    def holder_pid(self) -> int | None:
        return None

    def __enter__(self) -> NoWriterLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

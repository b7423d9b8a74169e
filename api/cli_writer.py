"""The writer role for commands that change the archive outside an ingest batch (reindex, person merges)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from archive.lock import WriterLock
from archive.settings import Settings


@contextmanager
def writer_role(settings: Settings) -> Iterator[None]:
    """Hold the archive's writer lock for the block, saying so when another process must finish first."""

    def waiting(pid: int | None) -> None:
        holder = f"process {pid}" if pid else "another process"
        click.echo(f"the archive is being written by {holder}; waiting for it to finish ...", err=True)

    lock = WriterLock(settings.writer_lock_path)
    lock.acquire_or_wait(waiting)
    try:
        yield
    finally:
        lock.release()

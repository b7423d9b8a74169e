"""`archive worker`: process ingest jobs from the archive's queue, alongside any number of other workers."""

from __future__ import annotations

import signal
import threading

import click


@click.command()
@click.option("--once", is_flag=True, help="Stop when no job is left queued or running.")
@click.pass_context
def worker(ctx: click.Context, once: bool) -> None:
    """Process queued ingest jobs (uploads, `archive ingest` batches) until stopped.

    On PostgreSQL, run as many as you like on any machine that reaches the database and the file store
    (ARCHIVE_FILES_DIR): each claims its own jobs, and a job whose worker died is taken over when its lease
    (ARCHIVE_JOB_LEASE_S) expires. On SQLite one process writes at a time. Ctrl-C or SIGTERM finishes the file
    in hand and puts prefetched ones back in the queue."""
    from api.services import Services
    from archive.db import is_sqlite
    from indexing.worker import JobWorker

    services = Services.open(ctx.obj, check_index=False)
    if is_sqlite(services.engine):  # the single writer keeps the index file in step; on a server workers hold none
        services.index.open()
    loop = JobWorker(services.ingestor, services.engine)
    stopping = threading.Event()

    def stop(signum: int, _frame) -> None:
        if stopping.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stopping.set()  # no output here: a signal may arrive while the stream is being written
        loop.stop(timeout=0)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    where = services.engine.url.render_as_string(hide_password=True)
    click.echo(f"worker {services.ingestor.worker} processing the jobs of {where}", err=True)
    at_once = False
    try:
        loop.run(once=once)
    except KeyboardInterrupt:
        at_once = True  # the document being saved was rolled back and its job stays queued
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        services.close()
    click.echo(f"worker {services.ingestor.worker} stopped", err=True)
    if at_once:
        from api.hard_exit import exit_now

        exit_now(130)

"""Ingest progress a person can follow: files, pages, passages, rate, ETA and the file being worked on.

On a terminal one line is redrawn in place; in a log, one line per finished file and, while a long file is worked
on, a line every LOG_EVERY_S seconds. Tracebacks never reach this display: they go to the
ingest log (api/cli_logging.py).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from indexing.jobs import BatchProgress
from indexing.pipeline import IngestOutcome

REDRAW_S = 0.5
LOG_EVERY_S = 15.0


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class IngestProgress:
    """Called with each file's outcome; while running, a thread redraws the batch's progress."""

    def __init__(
        self, total: int, batch: BatchProgress, stream: TextIO = sys.stderr, stopping: threading.Event | None = None
    ) -> None:
        """`stopping`, once set (by a signal handler, which must not write or take locks), is announced here."""
        self.total = total
        self._stopping = stopping
        self._stop_noted = False
        self.outcomes: list[IngestOutcome] = []
        self._batch = batch
        self._stream = stream
        self._interactive = stream.isatty()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="ingest-progress", daemon=True)

    def __enter__(self) -> IngestProgress:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopped.set()
        self._thread.join()
        self._note_stopping()
        if self._interactive:
            self._write("\n")

    def __call__(self, outcome: IngestOutcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)
            self.total = max(self.total, len(self.outcomes))  # files found inside files (attachments) add to it
        pages = f"{outcome.pages} pages, " if outcome.pages else ""
        detail = f" ({pages}{outcome.passages} passages)" if outcome.passages else ""
        self._show(f"{outcome.state.value}: {outcome.path}{detail}", keep=not self._interactive)

    def note(self, message: str) -> None:
        """A message on its own line (e.g. "stopping after the current file")."""
        self._write(("\r\033[K" if self._interactive else "") + message + "\n")

    def line(self, tail: str = "") -> str:
        snapshot = self._batch.snapshot()
        with self._lock:
            done = len(self.outcomes)
        width = 20
        filled = int(width * done / max(self.total, 1))
        return (
            f"[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} files  {snapshot['pages']} pages  "
            f"{snapshot['passages']} passages  {snapshot['passages_per_s']:.1f} passages/s  "
            f"{snapshot['characters_per_s'] / 1000:.1f}k characters/s  "
            f"ETA {_duration(snapshot['eta_s'])}  {tail or snapshot['current'] or ''}"
        ).rstrip()

    def _show(self, tail: str = "", keep: bool = False) -> None:
        line = self.line(tail)
        self._write(line + "\n" if keep else "\r\033[K" + line[:160])

    def _note_stopping(self) -> None:
        if self._stopping is not None and self._stopping.is_set() and not self._stop_noted:
            self._stop_noted = True
            self.note("stopping after the current file (Ctrl-C again to stop at once) ...")

    def _tick(self) -> None:
        last_logged = time.monotonic()
        while not self._stopped.wait(REDRAW_S):
            self._note_stopping()
            if self._interactive:
                self._show()
            elif time.monotonic() - last_logged >= LOG_EVERY_S and self._batch.snapshot()["current"]:
                self._show(keep=True)
                last_logged = time.monotonic()

    def _write(self, text: str) -> None:
        with self._lock:
            self._stream.write(text)
            self._stream.flush()

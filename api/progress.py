"""A one-line ingest progress display: files done / total, passages per second, ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from indexing.pipeline import IngestOutcome


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class IngestProgress:
    """Redrawn in place on a terminal; one line per file when output goes to a log."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.done = 0
        self.passages = 0
        self._stream = stream
        self._started = time.monotonic()
        self._interactive = stream.isatty()

    def __call__(self, outcome: IngestOutcome) -> None:
        self.done += 1
        self.passages += outcome.passages
        elapsed = max(time.monotonic() - self._started, 1e-6)
        eta = elapsed / self.done * (self.total - self.done)
        width = 24
        filled = int(width * self.done / max(self.total, 1))
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files  "
            f"{self.passages / elapsed:.1f} passages/s  ETA {_duration(eta)}  {outcome.state.value}: {outcome.path}"
        )
        if self._interactive:
            self._stream.write("\r\033[K" + line[:160])
            if self.done == self.total:
                self._stream.write("\n")
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

"""Logging of the archive's processes: one format, the level from `ARCHIVE_LOG_LEVEL`, optionally a file.

`archive serve` logs to the console (the server log); `archive ingest` and `archive retry` log to
`<data dir>/logs/ingest.log`, where every failure's traceback is kept, and to the console from WARNING up.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s [pid %(process)d]: %(message)s"
LOGS_DIR = "logs"
_MARK = "_archive_handler"  # set on the handlers installed here, so that configuring again replaces them
_level_before: list[int] = []  # the root level before the first configure_logging, restored by reset_logging


def log_file(data_dir: Path, name: str) -> Path:
    """Where a command's log file lives in the data folder."""
    return data_dir / LOGS_DIR / f"{name}.log"


def configure_logging(level: str | int, *, file: Path | None = None, console_level: str | int | None = None) -> None:
    """Send log records at `level` and above to the console (from `console_level` if given) and to `file`."""
    reset_logging()
    root = logging.getLogger()
    _level_before.append(root.level)
    root.setLevel(level)
    formatter = logging.Formatter(FORMAT)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level if console_level is not None else level)
    handlers: list[logging.Handler] = [console]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, _MARK, True)
        root.addHandler(handler)


def reset_logging() -> None:
    """Remove (and close) the handlers `configure_logging` installed, and restore the root logger's level."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    if _level_before:
        root.setLevel(_level_before.pop())

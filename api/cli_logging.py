"""Which log each `archive` command writes: the server logs to the console, job processing also to a file."""

from __future__ import annotations

import logging

from archive.logs import configure_logging, log_file
from archive.settings import Settings

#: Commands that process ingest jobs keep a log file in the data folder (tracebacks of failed files included).
LOG_FILE_BY_COMMAND = {"ingest": "ingest", "retry": "ingest"}


def configure_command_logging(settings: Settings, command: str | None) -> None:
    level = logging.getLevelNamesMapping()[settings.log_level]
    if command == "serve":
        configure_logging(level)
        return
    quiet = max(level, logging.WARNING)  # a command's console output is its own; the log adds warnings only
    name = LOG_FILE_BY_COMMAND.get(command or "")
    file = log_file(settings.resolved_data_dir, name) if name else None
    configure_logging(level, file=file, console_level=quiet)

"""Which log each `archive` command writes: the server logs to the console, job processing also to a file."""

from __future__ import annotations

import logging
from pathlib import Path

from archive.logs import configure_logging, log_file
from archive.settings import Settings

#: Commands that process ingest jobs keep a log file in the data folder (tracebacks of failed files included).
LOG_FILE_BY_COMMAND = {"ingest": "ingest", "retry": "ingest"}
NO_CONSOLE = logging.CRITICAL + 1


def configure_command_logging(settings: Settings, command: str | None) -> None:
    level = logging.getLevelNamesMapping()[settings.log_level]
    if command == "serve":
        configure_logging(level)
        return
    name = LOG_FILE_BY_COMMAND.get(command or "")
    if name:  # the progress display and the summary are the console's; warnings and tracebacks go to the file
        configure_logging(level, file=log_file(settings.resolved_data_dir, name), console_level=NO_CONSOLE)
        return
    configure_logging(level, console_level=max(level, logging.WARNING))  # a command's console output is its own


def ingest_log_file(settings: Settings) -> Path:
    """The log that `archive ingest` and `archive retry` keep (each job's outcome, every failure's traceback)."""
    return log_file(settings.resolved_data_dir, LOG_FILE_BY_COMMAND["ingest"])

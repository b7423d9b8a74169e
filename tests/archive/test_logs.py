"""Logging: the level from ARCHIVE_LOG_LEVEL, records in a file, configuring twice never doubles a line."""

import logging

import pytest
from pydantic import ValidationError

from archive.logs import configure_logging, log_file, reset_logging
from archive.settings import Settings


def test_the_level_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHIVE_LOG_LEVEL", "debug")
    assert Settings(data_dir=tmp_path).log_level == "DEBUG"
    assert Settings(data_dir=tmp_path, log_level="warning").log_level == "WARNING"
    monkeypatch.setenv("ARCHIVE_LOG_LEVEL", "loud")
    with pytest.raises(ValidationError, match="unknown log level 'loud'"):
        Settings(data_dir=tmp_path)


def test_records_reach_the_file_once_at_the_level_and_reset_restores_the_root(tmp_path):
    root = logging.getLogger()
    level_before, handlers_before = root.level, list(root.handlers)
    path = log_file(tmp_path, "ingest")
    log = logging.getLogger("indexing.somewhere")
    try:
        configure_logging("INFO", file=path, console_level="CRITICAL")
        configure_logging("INFO", file=path, console_level="CRITICAL")  # again: replaces, never adds
        log.debug("not at this level")
        log.info("job 1 report.pdf: indexed")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("unexpected error while saving report.pdf")
    finally:
        reset_logging()
    text = path.read_text(encoding="utf-8")
    assert path == tmp_path / "logs" / "ingest.log"
    assert text.count("job 1 report.pdf: indexed") == 1 and "not at this level" not in text
    assert "INFO indexing.somewhere" in text and "Traceback" in text and "ValueError: boom" in text
    assert root.level == level_before and root.handlers == handlers_before

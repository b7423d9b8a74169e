"""The reading view marks a document's language as far as its letters tell it, and says so when they do not."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.app import create_app


def _document_text_lang(client: TestClient, document_id: int) -> str:
    [lang] = re.findall(r'<div class="document-text" lang="([^"]*)"', client.get(f"/read/{document_id}").text)
    return lang


def test_a_document_too_short_to_tell_its_language_is_not_marked_english(fake_services, tmp_path) -> None:
    files = {"tally.txt": "Tally 2019\n\n12 - 31 - 7 - 4\n", "hearing.txt": "Суд в Алматы приговорил активиста.\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    outcomes = fake_services.ingestor.ingest([tmp_path / name for name in files])
    tally, hearing = (outcome.document_id for outcome in outcomes)
    with TestClient(create_app(services=fake_services)) as client:
        assert _document_text_lang(client, tally) == ""  # HTML's "unknown", not English
        assert _document_text_lang(client, hearing) == "ru"

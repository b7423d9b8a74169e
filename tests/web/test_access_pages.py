"""The ingest page sends the visibility and groups an editor chose with each file (a real server and Chromium)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from api.app import create_app
from api.services import Services
from archive.access import Role
from archive.db import session_scope
from archive.models import IngestJob
from archive.settings import Settings
from archive.users import add_user
from tests.fakes import FakeEmbedder
from tests.web.conftest import serving


def test_the_ingest_page_uploads_with_the_chosen_visibility_and_groups(browser, tmp_path: Path) -> None:
    services = Services.open(Settings(data_dir=tmp_path / "archive"), embedder=FakeEmbedder())
    with session_scope(services.engine) as session:
        key = add_user(session, "test", "eve", Role.editor, [])
    try:
        with serving(create_app(services=services)) as url:
            context = browser.new_context(base_url=url)  # type: ignore[attr-defined]
            page = context.new_page()
            page.goto("/ingest")
            page.get_by_label("Files").set_input_files(
                files=[{"name": "note.txt", "mimeType": "text/plain", "buffer": b"Note\n\nA witness statement."}]
            )
            page.get_by_label("Key").fill(key)
            page.get_by_label("Who may read them").select_option("restricted")
            page.get_by_label("Groups").fill("witness, lawyers")
            page.get_by_role("button", name="Upload").click()
            page.wait_for_function("() => document.getElementById('upload-status').textContent.includes('queued')")
            context.close()
        with Session(services.engine) as session:
            [job] = session.exec(select(IngestJob)).all()
        assert (job.filename, job.visibility, job.groups, job.submitted_by) == (
            "note.txt",
            "restricted",
            "witness,lawyers",
            "eve",
        )
    finally:
        services.close()

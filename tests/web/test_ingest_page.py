"""The ingest page in a real Chromium against a real server and worker: uploads that say what the files are, each
job's progress while it is embedded, and the same page without JavaScript."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.services import Services
from archive.access import Role
from archive.db import session_scope
from archive.settings import Settings
from archive.users import add_user
from tests.fakes import FakeEmbedder
from tests.web.conftest import serving

TOKEN = "editor-key-for-the-ingest-page"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LONG_TEXT = "Hearing notes\n\n" + "\n\n".join(
    f"On day {n} of the hearing the court in Almaty heard witness number {n}. The witness said the activist "
    f"had organised meeting {n} of the banned movement. The defence asked for the recording of meeting {n}."
    for n in range(1, 121)
)


class GatedEmbedder(FakeEmbedder):
    """Embeds its first `free` batches at once, then waits for `release`: a job stays half embedded meanwhile."""

    def __init__(self, free: int = 2) -> None:
        super().__init__()
        self.free = free
        self.release = threading.Event()

    def embed_passages(self, texts):
        if texts:
            if self.free > 0:
                self.free -= 1
            else:
                self.release.wait(120)
        return super().embed_passages(texts)


@pytest.fixture
def ingest_site(tmp_path: Path) -> Iterator[tuple[str, GatedEmbedder, Services]]:
    """A fresh archive with an editor key, served with its worker; its embedder holds the first long file."""
    embedder = GatedEmbedder()
    services = Services.open(Settings(data_dir=tmp_path / "archive", editor_token=TOKEN), embedder=embedder)
    try:
        with serving(create_app(services=services)) as url:
            try:
                yield url, embedder, services
            finally:
                embedder.release.set()
    finally:
        services.close()


def _new_page(browser, base_url: str, **options):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(60_000)
    return context, context.new_page()


def _job_progress(base_url: str, job_id: int) -> dict:
    """The job's entry in `GET /jobs/progress`, once it is half embedded (the gated embedder waits)."""
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=30) as client:
        for _ in range(300):
            progress = client.get("/jobs/progress").json()
            entry = next((job for job in progress["jobs"] if job["job_id"] == job_id), None)
            if entry and entry["passages"] and 0 < entry["percent"] < 100:
                return entry
            threading.Event().wait(0.1)
    raise AssertionError(f"job {job_id} shows no progress: {progress}")


def test_an_upload_says_what_the_file_is_and_its_row_follows_pages_passages_share_and_eta(browser, ingest_site):
    base_url, embedder, services = ingest_site
    context, page = _new_page(browser, base_url)
    try:
        page.goto("/ingest")
        page.get_by_label("Files").set_input_files(
            files=[{"name": "hearing.txt", "mimeType": "text/plain", "buffer": LONG_TEXT.encode()}]
        )
        page.get_by_label("Title").fill("Notes from the hearing of the Almaty activists")
        page.get_by_label("Publisher").fill("Kazakhstan Bureau for Human Rights")
        page.get_by_label("Date").fill("2021-05")
        page.get_by_label("Kind").fill("NGO report")
        page.get_by_label("Language").select_option("en")
        page.get_by_label("Key").fill(TOKEN)
        page.get_by_role("button", name="Upload").click()
        page.wait_for_function("() => document.getElementById('upload-status').textContent.includes('1 of 1')")
        row = page.locator("#jobs tbody tr[data-job-id]").first
        job_id = int(row.get_attribute("data-job-id") or 0)
        expected = _job_progress(base_url, job_id)
        # The page refreshes itself: the row comes to show the share, the passages embedded and an ETA.
        cell = row.locator(".job-progress")
        page.wait_for_function(
            "([id, text]) => (document.querySelector(`tr[data-job-id='${id}'] .job-progress`) || {textContent: ''})"
            ".textContent.includes(text)",
            arg=[job_id, f"{expected['passages']} passages embedded"],
        )
        shown = cell.inner_text()
        assert f"{expected['percent']}%" in shown and "ETA" in shown, shown
        assert cell.locator("progress").get_attribute("value") == str(expected["percent"])
        assert row.locator(".state").inner_text() == "running"
        assert "%" in page.locator("#ingest-progress").inner_text()  # the batch's line
        embedder.release.set()
        page.wait_for_function(
            "id => document.querySelector(`tr[data-job-id='${id}'] .state`).textContent === 'indexed'", arg=job_id
        )
        assert row.locator(".job-progress").count() == 0
        document_id = int(row.locator("a").get_attribute("href").rsplit("/", 1)[1])
    finally:
        context.close()
    document = httpx.get(f"{base_url}/documents/{document_id}", timeout=30).json()
    assert (document["title"], document["publisher"], document["published"], document["kind"]) == (
        "Notes from the hearing of the Almaty activists",
        "Kazakhstan Bureau for Human Rights",
        "2021-05",
        "NGO report",
    )


def test_without_javascript_the_key_shows_the_jobs_with_their_progress_and_files_upload(browser, ingest_site):
    base_url, embedder, services = ingest_site
    response = httpx.post(
        f"{base_url}/documents", files={"file": ("hearing.txt", LONG_TEXT.encode())}, headers=AUTH, timeout=30
    )
    job_id = response.json()["job_id"]
    expected = _job_progress(base_url, job_id)
    # A job's progress, as its file's name, is shown only to those who may see the job: an admin, not another editor.
    with session_scope(services.engine) as session:
        keys = {
            role: add_user(session, "test", f"someone-{role.value}", role, []) for role in (Role.admin, Role.editor)
        }
    for role, sees in ((Role.admin, True), (Role.editor, False)):
        headers = {"Authorization": f"Bearer {keys[role]}"}
        progress = httpx.get(f"{base_url}/jobs/progress", headers=headers, timeout=30).json()
        assert (job_id in [job["job_id"] for job in progress["jobs"]], progress["current"] is not None) == (sees, sees)
    context, page = _new_page(browser, base_url, java_script_enabled=False)
    try:
        page.goto("/ingest")
        assert page.locator("#jobs tbody").inner_text().strip() == "Enter your key to see the jobs."
        page.get_by_label("Key").fill("not-a-key")
        page.get_by_role("button", name="Show jobs").click()
        assert "not valid" in page.locator(".notice").inner_text()
        page.get_by_label("Key").fill(TOKEN)
        page.get_by_role("button", name="Show jobs").click()
        row = page.locator(f"#jobs tr[data-job-id='{job_id}']")
        shown = row.locator(".job-progress").inner_text()
        assert f"{expected['percent']}%" in shown and f"{expected['passages']} passages embedded" in shown, shown
        assert "ETA" in shown and row.locator(".state").inner_text() == "running"
        # Uploading works too: the form posts the files, what they are and the key, and lists the new job.
        page.get_by_label("Files").set_input_files(
            files=[{"name": "note.txt", "mimeType": "text/plain", "buffer": b"Note\n\nThe appeal was rejected."}]
        )
        page.get_by_label("Date").fill("2022-03-14")
        page.get_by_label("Key").fill(TOKEN)
        page.get_by_role("button", name="Upload").click()
        assert page.locator(".notice").inner_text() == "1 file queued."
        assert page.locator("#jobs tbody tr[data-job-id]").first.locator(".filename").inner_text() == "note.txt"
        # A date the manifest would refuse is refused here too, in the same words.
        page.get_by_label("Files").set_input_files(
            files=[{"name": "other.txt", "mimeType": "text/plain", "buffer": b"Other\n\nA second note."}]
        )
        page.get_by_label("Date").fill("14.03.2022")
        page.get_by_label("Key").fill(TOKEN)
        page.get_by_role("button", name="Upload").click()
        assert "published: '14.03.2022' is not a date" in page.locator(".notice").inner_text()
    finally:
        context.close()
        embedder.release.set()

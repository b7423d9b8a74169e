"""The seed archive served by a real uvicorn on a free local port, and one headless Chromium per module."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from api.app import create_app
from api.services import Services
from scripts.chromium import CHROMIUM, CHROMIUM_ARGS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(services: Services) -> Iterator[str]:
    """A real uvicorn serving these services on a free local port, while the block runs: its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(services=services), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def web_base_url(seed_services: Services) -> Iterator[str]:
    """http://127.0.0.1:PORT serving the seed archive (the same services the other tests use), for one module."""
    with serving(seed_services) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set ARCHIVE_TEST_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, web_base_url: str) -> Iterator[object]:
    """A fresh desktop-sized page (JavaScript on) whose relative URLs go to the test server."""
    context = browser.new_context(base_url=web_base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(120_000)  # a first search embeds; CI machines can be busy
    page = context.new_page()
    yield page
    context.close()

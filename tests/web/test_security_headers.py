"""The Content-Security-Policy holds in a real browser: no page (the docs included) triggers a CSP violation.

A small archive with the fake embedder is enough: the policy is about where scripts, styles and images come from.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.app import create_app
from tests.fakes import small_archive
from tests.web.conftest import serving

TOKEN = "csp-editor-token"
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener(
  "securitypolicyviolation", e => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""
REDOC_LOGO = "https://cdn.redoc.ly/"  # ReDoc's "API docs by Redocly" logo: the policy keeps it from loading


@pytest.fixture(scope="module")
def web_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own server: the small archive instead of the seed archive."""
    folder = tmp_path_factory.mktemp("csp")
    with small_archive(folder, editor_token=TOKEN) as services, serving(create_app(services=services)) as url:
        yield url


def _violations(page, url: str, ready: str) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(url)
    page.wait_for_selector(ready)
    page.wait_for_timeout(300)  # late styles and images
    found = page.evaluate("window.__violations") + [m for m in messages if "Content Security Policy" in m]
    return [violation for violation in found if REDOC_LOGO not in violation]


@pytest.mark.parametrize(
    ("url", "ready"),
    [
        ("/", "form[role=search]"),
        ("/?q=court", "li.result"),
        ("/read/1?passage=1", "mark.passage"),
        ("/check?quote=The+court+in+Almaty", "main h1"),
        ("/people", "main h1"),
        ("/docs", ".swagger-ui .information-container"),
        ("/redoc", "h1"),
    ],
)
def test_no_page_violates_the_content_security_policy(page, url, ready):
    page.add_init_script(RECORD_VIOLATIONS)
    assert _violations(page, url, ready) == []


def test_the_ingest_page_lists_jobs_only_with_a_key(page):
    page.add_init_script(RECORD_VIOLATIONS)
    assert _violations(page, "/ingest", "table#jobs") == []
    assert "Enter your key" in page.locator("#jobs").inner_text()
    page.get_by_label("Key").fill(TOKEN)
    page.get_by_label("Key").dispatch_event("change")
    page.locator("#jobs tbody", has_text="ruling.txt").wait_for()
    assert page.evaluate("window.__violations") == []

"""The people pages: a paged, sortable list with links to its neighbours; a person page that searches within by
name, says why it has no timeline, and lets an editor correct the record (plain forms, driven in Chromium with and
without JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.services import Services
from api.web import pages
from archive.access import Role
from archive.db import session_scope
from archive.models import AuditEvent
from archive.users import add_user
from tests.fakes import small_archive
from tests.web.conftest import serving

PER_PAGE = 25  # smaller than the seed archive's list, so that it has several pages


def _links(html: str, rel: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(rf'rel="{rel}" href="([^"]+)"', html)]


def _listed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li><a href="/people/(\d+)"', html)]


def test_the_people_pages_count_and_link_their_neighbours(seed_client: TestClient, monkeypatch) -> None:
    monkeypatch.setattr(pages, "PEOPLE_PER_PAGE", PER_PAGE)
    everyone = seed_client.get("/persons", params={"limit": 500}).json()
    total = everyone["total"]
    assert total > 2 * PER_PAGE
    last_page = -(-total // PER_PAGE)
    url = "/people?sort=name"
    for number in range(1, last_page + 1):
        html = seed_client.get(url).text
        first, last = (number - 1) * PER_PAGE + 1, min(number * PER_PAGE, total)
        assert f"{first}–{last} of {total} people" in html
        api = seed_client.get("/persons", params={"offset": first - 1, "limit": PER_PAGE, "sort": "name"}).json()
        assert _listed(html) == [p["id"] for p in api["persons"]]
        previous, following = _links(html, "prev"), _links(html, "next")
        if number > 1:
            assert parse_qs(urlsplit(previous[0]).query) == {
                "sort": ["name"],
                **({"page": [str(number - 1)]} if number > 2 else {}),
            }
        assert bool(previous) == (number > 1) and bool(following) == (number < last_page)
        if following:
            url = following[0]
            assert parse_qs(urlsplit(url).query) == {"sort": ["name"], "page": [str(number + 1)]}
    assert f'aria-current="page">{last_page}<' in html
    beyond = seed_client.get("/people", params={"page": last_page + 1}).text
    assert f"There is no page {last_page + 1}" in beyond
    assert seed_client.get("/people", params={"page": "x"}).status_code == 400
    assert seed_client.get("/people", params={"sort": "age"}).status_code == 400


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Services, dict[str, str]]]:
    """Two short documents (the fake embedder, the real person extraction), an editor's and a viewer's key."""
    with small_archive(tmp_path) as services:
        with session_scope(services.engine) as session:
            keys = {
                name: add_user(session, "test", name, role, [])
                for name, role in (("eve", Role.editor), ("val", Role.viewer))
            }
        yield services, keys


def _person_id(client: TestClient, name: str) -> int:
    persons = client.get("/persons", params={"q": name}).json()["persons"]
    assert persons and persons[0]["name"] == name, persons
    return persons[0]["id"]


def test_a_person_page_searches_within_by_name_and_says_why_there_is_no_timeline(small) -> None:
    services, _ = small
    with TestClient(create_app(services=services)) as client:
        undated, dated = _person_id(client, "Serikzhan Bilash"), _person_id(client, "Max Bokayev")
        page = " ".join(client.get(f"/people/{undated}").text.split())
        [within] = re.findall(r'class="search-within" href="([^"]+)"', page)
        assert parse_qs(urlsplit(within.replace("&amp;", "&")).query) == {"person": ["Serikzhan Bilash"]}
        assert 'value="Serikzhan Bilash"' in client.get(within.replace("&amp;", "&")).text  # the filter, by name
        assert "No timeline: none of the passages that mention Serikzhan Bilash states a date that can be" in page
        with_dates = client.get(f"/people/{dated}").text
        assert 'id="timeline-heading"' in with_dates and "No timeline" not in with_dates


def _audited(services: Services) -> list[tuple[str, str]]:
    with Session(services.engine) as session:
        return [(e.actor, e.action) for e in session.exec(select(AuditEvent)).all() if "person" in e.action]


def test_an_editor_corrects_a_record_from_the_person_page(browser, small) -> None:
    services, keys = small
    with serving(create_app(services=services)) as url:
        with TestClient(create_app(services=services)) as client:
            bilash, bokayev = _person_id(client, "Serikzhan Bilash"), _person_id(client, "Max Bokayev")

        # Without JavaScript: the forms post the key typed into them.
        plain = browser.new_context(base_url=url, java_script_enabled=False)  # type: ignore[attr-defined]
        page = plain.new_page()
        page.goto(f"/people/{bilash}")
        page.locator("#reject-key").fill(keys["val"])
        page.get_by_role("button", name="Not a person").click()
        assert page.locator("h1").inner_text() == "Forbidden" and "editor" in page.locator(".notice-error").inner_text()
        page.goto(f"/people/{bilash}")
        page.locator("#reject-key").fill(keys["eve"])
        page.get_by_role("button", name="Not a person").click()
        assert page.url.endswith(f"/people/{bilash}?done=not-a-person")
        assert "Marked as not a person" in page.locator(".curation-done").inner_text()
        assert page.locator(".not-a-person").is_visible() and page.locator(".search-within").count() == 0
        page.goto("/people")
        assert page.locator(".people-list a", has_text="Serikzhan Bilash").count() == 0
        assert page.locator(".people-list a", has_text="Max Bokayev").count() == 1
        plain.close()
        assert _audited(services) == [("eve", "person judged not a person")]

        # With JavaScript: the key typed once is kept for the tab and fills the next forms.
        context = browser.new_context(base_url=url)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(f"/people/{bilash}")
        page.locator("#undo-key").fill(keys["eve"])
        page.get_by_role("button", name="It is a person").click()
        assert page.url.endswith(f"/people/{bilash}?done=a-person")
        assert page.locator(".not-a-person").count() == 0
        assert page.locator("#merge-key").input_value() == keys["eve"]
        page.get_by_label("Same person as").fill("Max Bokayev")
        page.get_by_role("button", name="Merge into that person").click()
        assert page.url.endswith(f"/people/{bokayev}?done=merged")
        assert page.locator("h1").inner_text() == "Max Bokayev"
        assert "Serikzhan Bilash" in page.locator(".aliases").inner_text()
        assert page.locator("section.person-document").count() == 2  # both documents now
        context.close()
    assert _audited(services) == [
        ("eve", "person judged not a person"),
        ("eve", "person judged a person"),
        ("eve", "persons merged"),
    ]

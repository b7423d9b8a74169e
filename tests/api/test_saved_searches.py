"""Saved searches: what an ingest batch adds that answers a followed search, in JSON and in the Atom feed, as each
reader may see it now; the routes' rules (owners only, signed-in users only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from api.services import Services
from archive.access import Role, Submission, Visibility
from archive.db import session_scope
from archive.models import Document
from archive.settings import Settings
from archive.users import add_user
from indexing.embed import Embedder

QUERY = "journalist sentenced to prison for a social media post"
OLD_MATCH = (
    "Court report\n\nThe Almaty court sentenced the journalist Serik Zhakhin to five years in prison for a post on "
    "Facebook criticising the regional governor.\n"
)
NEW_MATCH = (
    "Shymkent verdict\n\nThe Shymkent city court sentenced the blogger and journalist Aigul Utepova to four years in "
    "prison over her Facebook posts about corrupt officials. Her lawyer said the verdict would be appealed.\n"
)
UNRELATED = (
    "Harvest news\n\nThe apple harvest in the Almaty region rose this autumn, farmers said, thanks to a warm spring "
    "and new orchards planted along the foothills.\n"
)
RESTRICTED_MATCH = (
    "Witness statement\n\nThe journalist Daniyar Adilbekov was sentenced to seven years in prison after he "
    "published a post on social media about corruption in the akimat.\n"
)


@dataclass
class Followed:
    client: TestClient
    services: Services
    keys: dict[str, str]
    searches: dict[str, dict]  # user → the answer to POST /saved-searches
    documents: dict[str, int]  # name → document id

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[user]}"}

    def text(self, document_id: int) -> str:
        with Session(self.services.engine) as session:
            document = session.get(Document, document_id)
            assert document is not None
            return document.text


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory, seed_embedder: Embedder) -> Iterator[Followed]:
    root = tmp_path_factory.mktemp("saved-searches")
    services = Services.open(Settings(data_dir=root / "archive", editor_token="legacy-token"), embedder=seed_embedder)
    (old,) = services.ingestor.ingest([_write(root, "old.txt", OLD_MATCH)])
    with session_scope(services.engine) as session:
        keys = {
            name: add_user(session, "test", name, role, groups)
            for name, role, groups in (("ana", Role.researcher, []), ("wit", Role.researcher, ["witness"]))
        }
    with TestClient(create_app(services=services)) as client:
        searches = {}
        for user in keys:
            created = client.post(
                "/saved-searches", json={"q": QUERY}, headers={"Authorization": f"Bearer {keys[user]}"}
            )
            assert created.status_code == 201, created.text
            searches[user] = created.json()
        outcomes = services.ingestor.ingest(
            [_write(root, "new.txt", NEW_MATCH), _write(root, "harvest.txt", UNRELATED)]
        )
        (secret,) = services.ingestor.ingest(
            [_write(root, "statement.txt", RESTRICTED_MATCH)],
            submission=Submission(visibility=Visibility.restricted, groups=("witness",)),
        )
        ids = [o.document_id for o in (old, *outcomes, secret)]
        assert all(ids), (old, outcomes, secret)
        documents = dict(zip(("old", "new", "unrelated", "restricted"), ids))
        yield Followed(client, services, keys, searches, documents)  # type: ignore[arg-type]
    services.close()


def _new(followed: Followed, user: str) -> dict:
    response = followed.client.get(f"/saved-searches/{followed.searches[user]['id']}/new", headers=followed.auth(user))
    assert response.status_code == 200, response.text
    return response.json()


def _feed(followed: Followed, user: str):
    url = followed.searches[user]["feed_url"]
    response = followed.client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    return feedparser.parse(response.content)


def test_the_new_match_and_only_it_is_found_after_the_ingest_batch(followed: Followed) -> None:
    answer = _new(followed, "ana")
    results = answer["results"]
    assert results and {r["document"]["id"] for r in results} == {followed.documents["new"]}
    assert answer["total"] == len(results)
    for result in results:  # shaped like /search results, cited exactly
        assert {
            "rank",
            "score",
            "passage_id",
            "text",
            "language",
            "document",
            "citation",
            "persons",
            "highlight",
        } <= set(result)
        citation = result["citation"]
        assert result["text"] == followed.text(result["document"]["id"])[citation["char_start"] : citation["char_end"]]

    feed = _feed(followed, "ana")
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == f"New in the archive: {QUERY}"
    links = [entry.link for entry in feed.entries]
    assert links and all(f"/read/{followed.documents['new']}?passage=" in link for link in links)
    assert {entry.link for entry in feed.entries} == {
        f"http://testserver/read/{r['document']['id']}?passage={r['passage_id']}#passage-{r['passage_id']}"
        for r in results
    }
    assert results[0]["text"] in feed.entries[0].summary


def test_a_restricted_match_reaches_only_the_members_of_its_group(followed: Followed) -> None:
    restricted = followed.documents["restricted"]
    seen_by_member = {r["document"]["id"] for r in _new(followed, "wit")["results"]}
    assert seen_by_member == {followed.documents["new"], restricted}
    assert restricted not in {r["document"]["id"] for r in _new(followed, "ana")["results"]}
    member_feed = _feed(followed, "wit")
    assert any(f"/read/{restricted}?" in entry.link for entry in member_feed.entries)
    assert not any(f"/read/{restricted}?" in entry.link for entry in _feed(followed, "ana").entries)
    listed = followed.client.get("/saved-searches", headers=followed.auth("ana")).json()["saved_searches"]
    assert [(s["id"], s["q"], s["new"]) for s in listed] == [
        (followed.searches["ana"]["id"], QUERY, len(_new(followed, "ana")["results"]))
    ]


def test_saved_searches_belong_to_their_owner(followed: Followed) -> None:
    client, ana = followed.client, followed.searches["ana"]["id"]
    assert client.post("/saved-searches", json={"q": QUERY}).status_code == 401  # signed-in users only
    assert client.get("/saved-searches").status_code == 401
    assert (
        client.post(
            "/saved-searches", json={"q": QUERY, "person": "Nobody Nowhere"}, headers=followed.auth("ana")
        ).status_code
        == 404
    )
    for method, path in (
        ("get", f"/saved-searches/{ana}/new"),
        ("post", f"/saved-searches/{ana}/seen"),
        ("delete", f"/saved-searches/{ana}"),
    ):
        response = client.request(method, path, headers=followed.auth("wit"))
        assert response.status_code == 404 and response.json() == {"detail": f"saved search {ana} does not exist"}
    feed = followed.searches["ana"]["feed_url"].removeprefix("http://testserver")
    assert client.get(feed[:-4] + "abcd").status_code == 404  # a wrong token


def test_marking_seen_empties_the_new_results_and_deleting_ends_the_feed(followed: Followed) -> None:
    client = followed.client
    created = client.post(
        "/saved-searches", json={"q": "apple harvest in the orchards", "language": "en"}, headers=followed.auth("ana")
    )
    assert created.status_code == 201
    search_id, feed = created.json()["id"], created.json()["feed_url"].removeprefix("http://testserver")
    assert _new_of(followed, search_id)["results"] == []  # only passages added after it was saved
    ana = followed.searches["ana"]["id"]
    count = len(_new(followed, "ana")["results"])
    seen = client.post(f"/saved-searches/{ana}/seen", headers=followed.auth("ana"))
    assert seen.status_code == 200 and seen.json()["new"] == 0
    assert _new(followed, "ana")["results"] == []
    everything = client.get(f"/saved-searches/{ana}/new", params={"all": "true"}, headers=followed.auth("ana")).json()
    assert len(everything["results"]) == count
    assert client.delete(f"/saved-searches/{search_id}", headers=followed.auth("ana")).status_code == 204
    assert client.get(feed).status_code == 404
    assert [s["id"] for s in client.get("/saved-searches", headers=followed.auth("ana")).json()["saved_searches"]] == [
        ana
    ]


def _new_of(followed: Followed, search_id: int) -> dict:
    response = followed.client.get(f"/saved-searches/{search_id}/new", headers=followed.auth("ana"))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_pages_offer_to_follow_a_search_and_list_what_is_followed(followed: Followed) -> None:
    import html
    import json
    import re

    page = followed.client.get("/", params={"q": QUERY, "language": "en"})
    assert page.status_code == 200
    (payload,) = re.findall(r'data-follow="([^"]+)"', page.text)
    assert json.loads(html.unescape(payload)) == {"q": QUERY, "language": "en"}  # what POST /saved-searches takes
    following = followed.client.get("/following")
    assert following.status_code == 200 and 'data-saved-searches-url="/saved-searches"' in following.text
    assert "script" not in following.text.split("<main", 1)[1]  # the page's script is the static file (CSP)

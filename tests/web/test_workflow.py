"""A researcher's workflow in a real Chromium: filters, paging, export downloads, the reading bar, the timeline."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

QUERY = "activist sentenced for links to a banned group"


def _passage_ids(page) -> list[int]:
    return page.eval_on_selector_all("li.result", "items => items.map(li => Number(li.dataset.passageId))")


def _api(base: str, **params) -> dict:
    return httpx.get(f"{base}/search", params=params, timeout=300).json()


def test_filters_from_the_form_narrow_the_results_and_stay_in_the_url(page, web_base_url: str) -> None:
    page.goto("/?" + urlencode({"q": QUERY}))
    page.wait_for_selector("li.result")
    page.locator("details.filters summary").click()
    page.select_option("#kind", "NGO report")
    page.fill("#published_from", "2020-02-01")
    page.select_option("#language", "en")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector("li.result")
    params = parse_qs(urlparse(page.url).query)
    assert (
        params["kind"] == ["NGO report"] and params["published_from"] == ["2020-02-01"] and params["language"] == ["en"]
    )
    api = _api(web_base_url, q=QUERY, kind="NGO report", published_from="2020-02-01", language="en")
    assert _passage_ids(page) == [r["passage_id"] for r in api["results"]]
    assert page.locator(".result-count").first.inner_text() == str(api["total"])
    assert set(page.locator("li.result .result-language").all_inner_texts()) == {"English"}
    dates = page.locator("li.result time.source-date").all_inner_texts()
    assert dates and set(dates) == {"31 January 2020 – 29 February 2020"}  # each result's date, as stated
    # Reloading the URL shows the same filters set in the form.
    page.reload()
    assert page.locator("#kind").input_value() == "NGO report" and page.locator("#language").input_value() == "en"


def test_a_person_chip_leads_to_the_person_page(page) -> None:
    page.goto("/?" + urlencode({"q": "Какой срок получил Ербол Есхожин?"}))
    chip = page.locator("li.result .tags a.tag").first
    name = chip.inner_text()
    chip.click()
    page.wait_for_selector("h1")
    assert "/people/" in page.url and page.locator("h1").inner_text() == name


def test_paging_walks_the_ranking_and_keeps_the_filters(page, web_base_url: str) -> None:
    page.goto("/?" + urlencode({"q": QUERY, "k": 5, "kind": "NGO report"}))
    first = _passage_ids(page)
    page.locator("nav.pager a.pager-next").click()
    page.wait_for_selector("li.result")
    params = parse_qs(urlparse(page.url).query)
    assert params["page"] == ["2"] and params["kind"] == ["NGO report"] and params["k"] == ["5"]
    second = _passage_ids(page)
    api = _api(web_base_url, q=QUERY, k=10, kind="NGO report")
    assert first + second == [r["passage_id"] for r in api["results"]]
    assert page.locator("ol.results").get_attribute("start") == "6"
    assert page.locator(".pager-current").inner_text() == "2"
    page.locator("nav.pager a.pager-previous").click()
    assert _passage_ids(page) == first


def test_export_downloads_hold_the_api_results(page, web_base_url: str) -> None:
    page.goto("/?" + urlencode({"q": QUERY, "k": 5, "kind": "news article"}))
    api = _api(web_base_url, q=QUERY, k=5, kind="news article")["results"]
    expected = [(r["passage_id"], r["text"], r["citation"]["char_start"], r["citation"]["char_end"]) for r in api]
    contents = {}
    for label in ("CSV", "JSON", "RIS", "CSL-JSON"):
        with page.expect_download() as info:
            page.locator(f"a.export-link[data-format='{label}']").click()
        download = info.value
        contents[label] = Path(download.path()).read_text(encoding="utf-8")
        assert download.suggested_filename.startswith("archive-search-activist-sentenced-for-links-to-a-banned-group.")
    rows = list(csv.DictReader(io.StringIO(contents["CSV"])))
    plain = [(i, quote.replace("\u00a0", " "), start, end) for i, quote, start, end in expected]  # CSV: plain spaces
    assert [(int(r["passage_id"]), r["quote"], int(r["char_start"]), int(r["char_end"])) for r in rows] == plain
    exported = json.loads(contents["JSON"])
    assert exported["filters"] == {"kind": "news article"}
    assert [(r["passage_id"], r["quote"], r["char_start"], r["char_end"]) for r in exported["results"]] == expected
    items = json.loads(contents["CSL-JSON"])
    assert [i["custom"]["passage_id"] for i in items] == [e[0] for e in expected]
    assert contents["RIS"].count("ER  -") == len(expected) and "TY  - NEWS" in contents["RIS"]
    # The link back in every export opens the passage in the reading view.
    page.goto(rows[0]["link"])
    assert page.locator(f"#passage-{rows[0]['passage_id']}").is_visible()


def test_the_reading_bar_stays_in_view_with_the_cited_page_and_matches(page, web_base_url: str) -> None:
    api = _api(web_base_url, q=QUERY, k=10, kind="NGO report")["results"]
    result = api[0]
    page.goto(
        f"/read/{result['document']['id']}?passage={result['passage_id']}&q={QUERY}#passage-{result['passage_id']}"
    )
    bar = page.locator(".reading-bar")
    assert bar.locator(".reading-title").inner_text() == result["document"]["title"]
    assert "Open Dialogue Foundation" in bar.inner_text()
    page.mouse.wheel(0, 20000)  # far from the cited passage
    page.wait_for_timeout(300)
    box = bar.bounding_box()
    assert bar.is_visible() and box is not None and abs(box["y"]) < 2  # stuck at the top of the window
    assert page.locator(f"mark#passage-{result['passage_id']}").count() == 1  # the cited span is highlighted
    matches = _api(web_base_url, q=QUERY, k=50, document_id=result["document"]["id"])["results"]  # best first
    position = [r["passage_id"] for r in matches].index(result["passage_id"]) + 1
    assert bar.locator(".match-position").inner_text() == f"Match {position} of {len(matches)}"
    original = bar.locator("a.original-link")
    assert httpx.get(web_base_url + original.get_attribute("href"), timeout=60).status_code == 200  # a path
    nav = bar.locator("a.match-next, a.match-previous").first
    target = parse_qs(urlparse(nav.get_attribute("href")).query)["passage"][0]
    nav.click()
    page.wait_for_selector(f"mark#passage-{target}")
    assert int(target) in [r["passage_id"] for r in matches] and int(target) != result["passage_id"]
    assert page.locator(".reading-bar .match-position").inner_text() != f"Match {position} of {len(matches)}"


def test_the_person_page_has_a_timeline_oldest_first(page, web_base_url: str) -> None:
    person = httpx.get(f"{web_base_url}/persons", params={"q": "Dzhakishev"}, timeout=60).json()["persons"][0]
    detail = httpx.get(f"{web_base_url}/persons/{person['id']}", timeout=60).json()
    page.goto(f"/people/{person['id']}")
    entries = page.locator("ol.timeline li.timeline-entry")
    assert entries.count() == len(detail["timeline"]) >= 3
    shown = entries.evaluate_all("items => items.map(li => li.dataset.date)")
    assert shown == [e["date"] for e in detail["timeline"]]
    assert [d[:10] for d in shown] == sorted(d[:10] for d in shown)
    first_mark = entries.first.locator("mark")
    if first_mark.count():
        assert first_mark.first.inner_text()[-4:] == shown[0][:4]  # the words that state the date are marked
    titles = page.locator("section.person-document h3").all_inner_texts()
    assert titles == [d["title"] for d in detail["documents"]]  # newest first

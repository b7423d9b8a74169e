"""A researcher's and fact-checker's path in a real Chromium: one citation everywhere, a total that holds while
paging, date filters that say what they left out, the reading view at the clicked match, passages in their language."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest

QUERY = "activist sentenced for links to a banned group"
QAIYRBEK = "Qaiyrbek hunger strike"


@pytest.fixture
def clipboard_page(browser, web_base_url: str):
    """A page whose script may write to and read from the clipboard."""
    context = browser.new_context(base_url=web_base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(120_000)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_base_url)
    yield context.new_page()
    context.close()


def _copy(page, button) -> str:
    """Click a copy button and read the clipboard back."""
    page.evaluate("navigator.clipboard.writeText('')")
    button.click()
    page.wait_for_function("() => navigator.clipboard.readText().then(text => text.length > 0)")
    return page.evaluate("navigator.clipboard.readText()")


def _export_rows(base: str, **params) -> list[dict]:
    response = httpx.get(f"{base}/search/export", params={**params, "format": "json"}, timeout=300)
    return response.json()["results"]


def test_the_copied_citation_is_the_export_row_of_the_same_result(clipboard_page, web_base_url: str) -> None:
    page = clipboard_page
    params = {"q": QUERY, "k": 5, "kind": "NGO report"}
    page.goto("/?" + urlencode(params))
    rows = _export_rows(web_base_url, **params)
    results = page.locator("li.result")
    assert results.count() == len(rows) == 5
    for index in (0, 3):
        result = results.nth(index)
        copied = _copy(page, result.get_by_role("button", name="Copy citation"))
        row = rows[index]
        assert copied == row["citation"] == result.locator(".citation-text").text_content()
        assert int(result.get_attribute("data-passage-id")) == row["passage_id"]
        marked = result.locator("blockquote mark").inner_text()
        assert copied.startswith(f"“{' '.join(marked.split())}” — {row['title']}, Open Dialogue Foundation, ")
        assert ", characters " in copied and copied.endswith(row["link"])
    # The reading view opened from that link shows, and copies from its sticky bar, the same citation.
    page.goto(rows[3]["link"])
    bar = page.locator(".reading-bar")
    page.mouse.wheel(0, 20000)
    assert bar.get_by_role("button", name="Copy citation").is_visible()
    start, end = rows[3]["link"].split("start=")[1].split("#")[0].split("&end=")
    assert f"characters {start}–{end}" in bar.locator(".reading-range").inner_text()
    assert _copy(page, bar.get_by_role("button", name="Copy citation")) == rows[3]["citation"]
    bold = page.locator(f"mark#passage-{rows[3]['passage_id']} strong.answer").inner_text()
    assert rows[3]["citation"].startswith(f"“{' '.join(bold.split())}”")


def test_the_quote_check_copies_the_original_wording_with_its_citation(clipboard_page) -> None:
    page = clipboard_page
    page.goto("/check?" + urlencode({"quote": "A colony settlement is a dormitory-like penitentiary"}))
    first = page.locator("li.result").first
    copied = _copy(page, first.get_by_role("button", name="Copy original wording"))
    original = first.locator("blockquote").inner_text()
    assert copied.startswith(f"“{' '.join(original.split())}” — Jailed Kazakh Activist")
    assert ", characters " in copied and "/read/1?passage=" in copied and "&start=" in copied


def test_the_count_of_results_holds_while_paging(page) -> None:
    counts = []
    for number in (1, 3, 6):
        page.goto("/?" + urlencode({"q": QUERY, "page": number}))
        counts.append(page.locator(".result-count").first.inner_text())
        assert page.locator("ol.results").get_attribute("start") == str((number - 1) * 10 + 1)
    assert len(set(counts)) == 1 and int(counts[0]) > 50, counts


def test_a_date_filter_names_the_undated_documents_it_left_out_and_brings_them_back(page, web_base_url) -> None:
    page.goto("/?" + urlencode({"q": QAIYRBEK, "published_from": "2020-01-01"}))
    api = httpx.get(
        f"{web_base_url}/search", params={"q": QAIYRBEK, "published_from": "2020-01-01"}, timeout=300
    ).json()
    note = page.locator(".undated-note")
    assert api["undated_excluded"] > 0
    assert note.inner_text().startswith(f"{api['undated_excluded']} undated documents left out by the date filter")
    titles = page.locator("li.result .result-title").all_inner_texts()
    assert not any("Hunger Strike" in title for title in titles)
    note.get_by_role("link", name="Include undated documents").click()
    page.wait_for_selector("li.result")
    params = parse_qs(urlparse(page.url).query)
    assert params["undated"] == ["include"] and params["published_from"] == ["2020-01-01"]
    assert any("Hunger Strike" in title for title in page.locator("li.result .result-title").all_inner_texts())
    assert page.locator(".undated-note").inner_text().startswith("Undated documents are included")
    # Applying the filters again (they are open: some are set) keeps the choice.
    assert page.locator("details.filters").get_attribute("open") is not None
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_selector("li.result")
    assert parse_qs(urlparse(page.url).query)["undated"] == ["include"]


def test_the_reading_view_opens_at_the_clicked_match(page) -> None:
    page.goto("/?" + urlencode({"q": QUERY, "kind": "NGO report"}))
    first = page.locator("li.result").first
    marked = first.locator("blockquote mark").inner_text()
    passage_id = first.get_attribute("data-passage-id")
    first.get_by_role("link", name="Read in context").click()
    page.wait_for_selector(f"mark#passage-{passage_id}")
    assert page.locator(".reading-bar .match-position").inner_text().startswith("Match 1 of ")
    assert " ".join(page.locator(f"mark#passage-{passage_id} strong.answer").inner_text().split()) == " ".join(
        marked.split()
    )  # the sentence the search page marked
    page.locator(".reading-bar a.match-next").click()
    page.wait_for_load_state("load")
    assert page.locator(".reading-bar .match-position").inner_text().startswith("Match 2 of ")


RUSSIAN = (
    "Суд в Алматы приговорил активиста Ербола Есхожина к двум с половиной годам лишения свободы. "
    "Правозащитники назвали приговор политически мотивированным и потребовали его отмены."
)
KAZAKH = (
    "Алматы соты белсенді Ербол Есхожинді екі жарым жылға бас бостандығынан айырды. "
    "Құқық қорғаушылар үкімді саяси астары бар деп атап, оның күшін жоюды талап етті."
)


def test_russian_and_kazakh_passages_carry_their_lang_on_an_english_page(browser, seed_embedder, tmp_path) -> None:
    from api.app import create_app
    from api.services import Services
    from archive.settings import Settings
    from tests.web.conftest import serving

    for name, text in (("ru.txt", RUSSIAN), ("kk.txt", KAZAKH)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    services = Services.open(Settings(data_dir=tmp_path / "archive"), embedder=seed_embedder)
    try:
        outcomes = services.ingestor.ingest([tmp_path / "ru.txt", tmp_path / "kk.txt"])
        assert [o.state.value for o in outcomes] == ["indexed", "indexed"]
        with serving(create_app(services=services)) as base:
            context = browser.new_context(base_url=base)
            context.set_default_timeout(120_000)
            page = context.new_page()
            page.goto("/?" + urlencode({"q": "Ербол Есхожин приговор"}))
            assert page.locator("html").get_attribute("lang") == "en"
            shown = page.locator("li.result blockquote").evaluate_all(
                "quotes => quotes.map(q => [q.getAttribute('lang'), q.innerText])"
            )
            assert sorted(lang for lang, _ in shown) == ["kk", "ru"]
            assert all((lang == "kk") == ("Құқық" in text or "айырды" in text) for lang, text in shown)
            page.locator("li.result a.result-title").first.click()
            page.wait_for_selector("mark.passage")
            lang = page.locator(".document-text").get_attribute("lang")
            mark = page.locator("mark.passage").get_attribute("lang")
            assert (mark or lang) in ("ru", "kk")
            context.close()
    finally:
        services.close()

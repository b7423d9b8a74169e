"""The web pages driven in a real headless Chromium against the seed archive served by uvicorn."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import Session

from api.services import Services
from search.persons import find_persons

COLONY_EN = "What is a colony settlement?"
COLONY_KK = "Колония-қоныс дегеніміз не?"
ESKHOZHIN_RU = "Какой срок получил Ербол Есхожин?"
BELGIUM_EN = "Who was kidnapped or spied on in Belgium?"  # answered deep inside the long NGO report


def _context(browser, **options):
    context = browser.new_context(**options)
    context.set_default_timeout(120_000)
    return context


def _results(page) -> list[dict]:
    """Each rendered result: its passage id, quote text and the text of its <mark>s."""
    return page.eval_on_selector_all(
        "li.result",
        """items => items.map(li => ({
            passage_id: Number(li.dataset.passageId),
            quote: li.querySelector('blockquote').innerText,
            marks: Array.from(li.querySelectorAll('blockquote mark')).map(m => m.textContent),
        }))""",
    )


def test_keyboard_search_in_english_shows_the_quote_with_a_mark(page) -> None:
    page.goto("/")
    search_box = page.get_by_label("Question or words")  # the box has a label
    assert search_box.evaluate("el => el.id") == "q"
    assert page.evaluate("document.activeElement.id") == "q"  # focused on arrival: type straight away
    page.keyboard.type(COLONY_EN)
    page.keyboard.press("Enter")
    page.wait_for_selector("li.result")
    assert "q=What+is+a+colony+settlement" in page.url  # the state is in the URL
    first = _results(page)[0]
    assert "dormitory-like penitentiary" in first["quote"]
    assert any("dormitory-like penitentiary" in mark for mark in first["marks"])
    # Tab from the search box reaches its button; the results name their source.
    page.get_by_label("Question or words").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Search"
    assert page.locator("li.result .result-title").first.inner_text().startswith("Jailed Kazakh Activist")


@pytest.mark.parametrize(
    ("query", "expected"),
    [(ESKHOZHIN_RU, "Erbol Eskhozhin"), (COLONY_KK, "dormitory-like penitentiary")],
    ids=["ru", "kk"],
)
def test_russian_and_kazakh_queries_show_the_english_quote_marked(page, query: str, expected: str) -> None:
    page.goto("/?" + urlencode({"q": query}))
    results = _results(page)[:3]
    matching = [r for r in results if expected in r["quote"]]
    assert matching, [r["quote"][:80] for r in results]
    assert any(expected in mark for mark in matching[0]["marks"]), matching[0]["marks"]


def test_a_shared_url_reproduces_the_api_results_without_javascript(browser, web_base_url: str) -> None:
    params = {"q": COLONY_KK, "k": 5}
    # The pages choose the answering sentence by meaning too, as `highlight=semantic` does.
    api = httpx.get(f"{web_base_url}/search", params={**params, "highlight": "semantic"}, timeout=180).json()["results"]
    context = _context(browser, java_script_enabled=False)  # server-rendered HTML alone
    try:
        page = context.new_page()
        page.goto(f"{web_base_url}/?{urlencode(params)}")
        shown = _results(page)
    finally:
        context.close()
    assert [r["passage_id"] for r in shown] == [r["passage_id"] for r in api]
    for rendered, result in zip(shown, api):
        start, end = result["highlight"]["char_start"], result["highlight"]["char_end"]
        assert rendered["marks"] == [result["text"][start:end]]  # the same words as every other client


def test_the_document_view_opens_at_the_highlighted_passage(page) -> None:
    page.goto("/?" + urlencode({"q": BELGIUM_EN}))
    page.locator("li.result a.result-title").first.click()
    page.wait_for_load_state("load")
    passage_id = page.url.split("passage=")[1].split("&")[0].split("#")[0]
    mark = page.locator(f"mark#passage-{passage_id}")
    assert mark.count() == 1
    assert "Belgium" in mark.inner_text()
    assert page.evaluate("window.scrollY") > 500  # deep in a long report
    _assert_in_viewport(page, f"passage-{passage_id}")
    # The answering sentence is emphasised inside the passage, and the PDF/plain-text page line is shown.
    assert page.locator(f"mark#passage-{passage_id} .answer").count() == 1
    assert "Cited passage" in page.locator(".cited-box").inner_text()


def test_the_document_view_scrolls_without_a_fragment_and_without_javascript(browser, page, web_base_url) -> None:
    api = httpx.get(f"{web_base_url}/search", params={"q": BELGIUM_EN, "k": 1}, timeout=180).json()["results"][0]
    read = f"/read/{api['document']['id']}?passage={api['passage_id']}"
    page.goto(read)  # no #fragment: the script scrolls
    _assert_in_viewport(page, f"passage-{api['passage_id']}")
    context = _context(browser, java_script_enabled=False, base_url=web_base_url)
    try:
        plain = context.new_page()
        plain.goto(f"{read}#passage-{api['passage_id']}")  # the fragment alone does it
        _assert_in_viewport(plain, f"passage-{api['passage_id']}")
    finally:
        context.close()


def _assert_in_viewport(page, element_id: str) -> None:
    page.wait_for_function(
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   return r.top < window.innerHeight && r.bottom > 0; }""",
        arg=element_id,
        timeout=5_000,
    )


def test_a_person_page_lists_the_persons_passages_by_document(page, seed_services: Services) -> None:
    with Session(seed_services.engine) as session:
        found = find_persons(session, "Ахметов", limit=1)
    assert found and found[0].mentions > 0, "the seed archive tags Ulasbek Akhmetov"
    person = found[0]
    page.goto(f"/people/{person.id}")
    assert page.locator("h1").inner_text() == person.name
    groups = page.locator("section.person-document")
    assert groups.count() >= 1
    quotes = page.locator("section.person-document li.result")
    assert quotes.count() == person.mentions
    assert page.locator("section.person-document li.result mark").count() >= 1  # the mentions are marked
    detail = httpx.get(f"{page.url.split('/people')[0]}/persons/{person.id}", timeout=30)
    if detail.status_code == 200:  # the JSON API agrees on which passages
        api_ids = sorted(p["passage_id"] for p in detail.json()["passages"])
        shown = sorted(int(i) for i in quotes.evaluate_all("els => els.map(e => e.dataset.passageId)"))
        assert shown == api_ids
    # A person linked from a search result's tags leads to the same kind of page.
    page.goto(f"/people?{urlencode({'q': 'Akhmetov'})}")
    assert page.locator(".people-list a", has_text=person.name).count() == 1


def test_phone_width_has_no_horizontal_scroll(browser, web_base_url: str) -> None:
    context = _context(browser, base_url=web_base_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        for url in ("/", "/?" + urlencode({"q": COLONY_EN}), "/read/3", "/ingest", "/people"):
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (url, width)
    finally:
        context.close()


def test_copy_citation_puts_the_quote_source_page_and_link_on_the_clipboard(browser, web_base_url: str) -> None:
    context = _context(browser, base_url=web_base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_base_url)
    try:
        page = context.new_page()
        page.goto("/?" + urlencode({"q": COLONY_EN}))
        button = page.get_by_role("button", name="Copy citation").first
        button.click()
        page.wait_for_function("() => document.querySelector('.copy-status').textContent.includes('copied')")
        copied = page.evaluate("navigator.clipboard.readText()")
    finally:
        context.close()
    assert "dormitory-like penitentiary" in copied
    assert "RFE/RL's Kazakh Service" in copied
    assert f"{web_base_url}/read/1?passage=" in copied


def test_document_text_and_queries_are_escaped(web_base_url: str) -> None:
    html = httpx.get(f"{web_base_url}/", params={"q": "<script>alert(1)</script> colony"}, timeout=180).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_ingest_page_has_labelled_controls_and_lists_jobs(page) -> None:
    page.goto("/ingest")
    assert page.get_by_label("Files").get_attribute("type") == "file"
    assert page.get_by_label("Key").get_attribute("type") == "password"
    assert page.locator("table#jobs").count() == 1
    # The upload goes to POST /documents with the key; a refusal is shown to the editor, not swallowed.
    page.get_by_label("Files").set_input_files(
        files=[{"name": "note.txt", "mimeType": "text/plain", "buffer": b"A short note about nobody."}]
    )
    page.get_by_label("Key").fill("not-the-token")
    assert page.get_by_label("Who may read them").select_option("restricted") == ["restricted"]
    page.get_by_label("Groups").fill("witness, lawyers")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_function("() => document.getElementById('upload-status').textContent.includes('Not accepted')")
    assert "note.txt" in page.locator("#upload-status").inner_text()


def test_unknown_pages_answer_404_in_html(web_base_url: str) -> None:
    for path in ("/read/999999", "/people/999999"):
        response = httpx.get(web_base_url + path, timeout=30)
        assert response.status_code == 404
        assert "text/html" in response.headers["content-type"]

"""What every page shares, in a real Chromium: an icon (no 404 on any page), the first result within a phone's
first screen, and document titles in the filter cut between words with the whole title at hand."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

COLONY_EN = "What is a colony settlement?"
PAGES = ("/", "/?" + urlencode({"q": COLONY_EN}), "/check", "/read/1", "/people", "/ingest", "/following")
PHONE = {"width": 390, "height": 844}
FIRST_SCREEN_PX = 490


def test_every_page_links_an_icon_and_loads_without_a_404(browser, web_base_url: str) -> None:
    context = browser.new_context(base_url=web_base_url)
    context.set_default_timeout(120_000)
    missing: list[str] = []
    try:
        page = context.new_page()
        page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
        for path in PAGES:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            icon = page.locator("link[rel=icon]").get_attribute("href")
            answer = httpx.get(web_base_url + icon, timeout=30)
            assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/"), path
    finally:
        context.close()
    assert missing == []
    root_icon = httpx.get(f"{web_base_url}/favicon.ico", timeout=30)  # what browsers ask for by themselves
    assert root_icon.status_code == 200 and root_icon.headers["content-type"] == "image/x-icon"


def test_on_a_phone_the_first_result_starts_within_the_first_screen(browser, web_base_url: str) -> None:
    context = browser.new_context(base_url=web_base_url, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(120_000)
    try:
        page = context.new_page()
        for params in ({"q": COLONY_EN}, {"q": COLONY_EN, "kind": "NGO report"}):
            page.goto("/?" + urlencode(params))
            top = page.locator("li.result").first.bounding_box()
            assert top is not None and top["y"] < FIRST_SCREEN_PX, (params, top)
        # The filters are still one tap away.
        page.locator("details.filters summary").click()
        assert page.locator("#kind").is_visible()
    finally:
        context.close()


def test_document_titles_in_the_filter_are_cut_between_words_and_keep_the_whole_title(
    browser, web_base_url: str
) -> None:
    titles = {d["id"]: d["title"] for d in httpx.get(f"{web_base_url}/documents", timeout=30).json()["documents"]}
    for viewport, mobile in (({"width": 1280, "height": 900}, False), (PHONE, True)):
        context = browser.new_context(base_url=web_base_url, viewport=viewport, is_mobile=mobile)
        context.set_default_timeout(120_000)
        try:
            page = context.new_page()
            page.goto("/?" + urlencode({"q": COLONY_EN}))
            page.locator("details.filters summary").click()
            options = page.locator("#document_id option[value]:not([value=''])").evaluate_all(
                "items => items.map(o => ({id: Number(o.value), text: o.textContent, title: o.title}))"
            )
            # The widest label fits in the closed list as it is drawn (nothing of it hidden under its edge).
            overflow = page.locator("#document_id").evaluate(
                """select => {
                    const style = getComputedStyle(select);
                    const context = document.createElement('canvas').getContext('2d');
                    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                    const widest = Math.max(...Array.from(select.options, o => context.measureText(o.text).width));
                    return widest - (select.clientWidth - parseFloat(style.paddingLeft) - 24);
                }"""
            )
        finally:
            context.close()
        assert overflow <= 0, (viewport, overflow)
        assert {o["id"] for o in options} == set(titles)
        shortened = [o for o in options if o["text"] != o["title"]]
        assert shortened, "no title in the seed corpus is long enough to be shortened"
        for option in options:
            assert option["title"] == titles[option["id"]]
        for option in shortened:
            kept = option["text"].removesuffix("…")
            assert option["text"].endswith("…") and option["title"].startswith(kept), option
            assert option["title"][len(kept)] in " ,;:–—-", option  # the cut falls between two words

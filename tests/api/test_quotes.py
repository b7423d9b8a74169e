"""`POST /quotes/check`, `archive check-quote` and the `/check` page over the seed archive."""

import json

from click.testing import CliRunner

from api.cli import cli

ATABEK = "On 18 October 2007, the court sentenced Atabek to 18 years in prison."
ALTERED = ATABEK.replace("18 years", "15 years")


def test_http_answers_the_verdict_the_diff_and_the_citation_of_the_span(seed_client):
    response = seed_client.post("/quotes/check", json={"quote": ALTERED, "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["quote"] == ALTERED
    best = body["matches"][0]
    assert best["verdict"] == "altered" and best["original"] == ATABEK
    assert {"op": "replace", "quote": "15", "original": "18"} in best["diff"]
    citation = best["citation"]
    text = seed_client.get(f"/documents/{best['document']['id']}/text").json()["text"]
    assert text[citation["char_start"] : citation["char_end"]] == best["original"]
    passage = seed_client.get(f"/passages/{best['passage_id']}").json()
    assert passage["citation"]["char_start"] <= citation["char_start"] < passage["citation"]["char_end"]


def test_http_an_unrelated_quote_has_no_matches(seed_client):
    response = seed_client.post("/quotes/check", json={"quote": "The recipe calls for two cups of flour."})
    assert response.status_code == 200 and response.json()["matches"] == []


def test_http_bad_quotes_are_4xx_with_a_detail(seed_client):
    for payload, status in (
        ({"quote": "   "}, 400),
        ({"quote": ""}, 422),
        ({"quote": ATABEK, "k": 0}, 422),
        ({"quote": "x" * 1001}, 422),
        ({}, 422),
    ):
        response = seed_client.post("/quotes/check", json=payload)
        assert response.status_code == status, (payload, response.text)
        assert "detail" in response.json()


def test_cli_prints_the_verdict_and_the_change_or_the_same_json(seed_services, seed_settings):
    runner = CliRunner()
    data = str(seed_settings.resolved_data_dir)
    result = runner.invoke(cli, ["--data-dir", data, "check-quote", ALTERED])
    assert result.exit_code == 0, result.output
    assert "1. ALTERED" in result.output and "replace: '15' -> '18'" in result.output
    assert f"original: {ATABEK}" in result.output
    as_json = runner.invoke(cli, ["--data-dir", data, "check-quote", ATABEK, "--json", "-k", "1"])
    assert as_json.exit_code == 0, as_json.output
    matches = json.loads(as_json.output)["matches"]
    assert len(matches) == 1 and matches[0]["verdict"] == "exact"


def test_the_check_page_works_without_javascript_and_is_linked_from_search(seed_client):
    assert 'href="/check"' in seed_client.get("/").text
    page = seed_client.get("/check", params={"quote": ALTERED})
    assert page.status_code == 200
    assert "Altered" in page.text and "<del>15</del>" in page.text and "<ins>18</ins>" in page.text
    assert "18 October 2007" in page.text
    none = seed_client.get("/check", params={"quote": "The recipe calls for two cups of flour."})
    assert "Nothing in the archive resembles this quote" in none.text
    bad = seed_client.get("/check", params={"quote": "«»"})
    assert bad.status_code == 400 and "no words" in bad.text

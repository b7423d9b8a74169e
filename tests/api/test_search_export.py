"""Filters, paging and export of `GET /search` and `archive search` over the seed archive, in SQLite and in
PostgreSQL."""

# ruff: noqa: F811  (the seed fixtures imported from tests.each_database are the tests' arguments)

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from api.cli import cli
from tests.each_database import seed_client, seed_database_env, seed_services, seed_settings  # noqa: F401

QUERY = "activist sentenced for links to a banned group"


def _documents(client) -> list[dict]:
    return client.get("/documents").json()["documents"]


def _report(client) -> dict:
    return next(d for d in _documents(client) if d["kind"] == "NGO report")


def test_documents_carry_the_metadata_their_texts_state(seed_client):
    documents = _documents(seed_client)
    assert _report(seed_client)["published"] == "2020-01-31/2020-02-29"  # an interval, not an invented day
    news = [d for d in documents if d["kind"] == "news article"]
    assert news and all(d["published"] is None for d in news)  # their texts give no year
    assert any(d["authors"] == ["RFE/RL's Kazakh Service"] for d in news)


def test_a_kind_filter_fills_the_top_k_with_that_kind(seed_client):
    report = _report(seed_client)
    everything = seed_client.get("/search", params={"q": QUERY, "k": 5}).json()
    assert any(r["document"]["id"] != report["id"] for r in everything["results"])  # the filter has work to do
    reports = seed_client.get("/search", params={"q": QUERY, "k": 5, "kind": "NGO report"}).json()
    assert len(reports["results"]) == 5 and reports["total"] >= 5
    assert all(r["document"]["id"] == report["id"] for r in reports["results"])
    assert reports["total"] < everything["total"]


def test_a_date_range_keeps_documents_whose_stated_date_reaches_into_it(seed_client):
    report = _report(seed_client)
    inside = seed_client.get("/search", params={"q": QUERY, "published_from": "2020-02-15"}).json()
    assert inside["results"] and {r["document"]["id"] for r in inside["results"]} == {report["id"]}
    assert all(r["document"]["published"] == "2020-01-31/2020-02-29" for r in inside["results"])
    before = seed_client.get("/search", params={"q": QUERY, "published_to": "2020-01-30"}).json()
    assert before["results"] == [] and before["total"] == 0 and before["notice"]
    bad = seed_client.get("/search", params={"q": QUERY, "published_from": "2021-01-01", "published_to": "2020-01-01"})
    assert bad.status_code == 400 and "published_from" in bad.json()["detail"]


def test_the_language_filter_selects_by_the_passage_language(seed_client):
    english = seed_client.get("/search", params={"q": "Какой срок получил Ербол Есхожин?", "language": "en"}).json()
    assert english["results"] and all(r["language"] == "en" for r in english["results"])
    russian = seed_client.get("/search", params={"q": "Какой срок получил Ербол Есхожин?", "language": "ru"}).json()
    assert russian["results"] == []  # the seed corpus has no Russian passage
    assert seed_client.get("/search", params={"q": "x", "language": "de"}).status_code == 422


def test_the_total_is_the_same_on_every_page(seed_client):
    pages = {n: seed_client.get("/search", params={"q": QUERY, "k": 10, "page": n}).json() for n in (1, 3, 6)}
    totals = {n: page["total"] for n, page in pages.items()}
    assert len(set(totals.values())) == 1 and totals[1] > 50, totals  # page 6 holds results, and counts the same
    assert [r["rank"] for r in pages[6]["results"]][:1] == [51]
    everything = seed_client.get("/search", params={"q": QUERY, "k": 100}).json()
    assert everything["total"] == totals[1] and len(everything["results"]) == min(100, totals[1])
    beyond = seed_client.get("/search", params={"q": QUERY, "k": 10, "offset": totals[1]}).json()
    assert beyond["results"] == [] and beyond["total"] == totals[1]  # no page past the total holds anything


def test_a_date_filter_says_how_many_undated_documents_it_left_out(seed_client):
    documents = _documents(seed_client)
    undated = {d["id"] for d in documents if d["published"] is None}
    assert undated and len(undated) < len(documents)
    dated = seed_client.get("/search", params={"q": "Qaiyrbek hunger strike", "published_from": "2020-01-01"}).json()
    assert dated["undated_excluded"] == len(undated)
    assert not {r["document"]["id"] for r in dated["results"]} & undated
    included = seed_client.get(
        "/search", params={"q": "Qaiyrbek hunger strike", "published_from": "2020-01-01", "undated": "include"}
    ).json()
    assert included["undated_excluded"] == 0
    assert {r["document"]["id"] for r in included["results"]} & undated  # the Qaiyrbek article is back
    # Only undated documents the other filters keep are counted; without a date filter, none is left out.
    reports = seed_client.get(
        "/search", params={"q": QUERY, "published_from": "2020-01-01", "kind": "NGO report"}
    ).json()
    assert reports["undated_excluded"] == 0
    assert seed_client.get("/search", params={"q": QUERY}).json()["undated_excluded"] == 0
    nothing = seed_client.get("/search", params={"q": QUERY, "published_to": "2019-01-01"}).json()
    assert nothing["results"] == [] and nothing["undated_excluded"] == len(undated)
    assert seed_client.get("/search", params={"q": QUERY, "undated": "maybe"}).status_code == 422


def test_pages_continue_the_ranking(seed_client):
    ten = seed_client.get("/search", params={"q": QUERY, "k": 10}).json()
    first = seed_client.get("/search", params={"q": QUERY, "k": 5, "page": 1}).json()
    second = seed_client.get("/search", params={"q": QUERY, "k": 5, "page": 2}).json()
    by_offset = seed_client.get("/search", params={"q": QUERY, "k": 5, "offset": 5}).json()
    assert [r["passage_id"] for r in first["results"] + second["results"]] == [r["passage_id"] for r in ten["results"]]
    assert [r["rank"] for r in second["results"]] == [6, 7, 8, 9, 10]
    assert second == by_offset and second["offset"] == 5 and second["total"] == ten["total"]


def _export(client, fmt: str, **params) -> str:
    response = client.get("/search/export", params={"q": QUERY, "k": 5, "format": fmt, **params})
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    return response.text


def test_every_export_format_holds_the_api_results(seed_client):
    api = seed_client.get("/search", params={"q": QUERY, "k": 5}).json()["results"]
    expected = [(r["passage_id"], r["text"], r["citation"]["char_start"], r["citation"]["char_end"]) for r in api]

    rows = list(csv.DictReader(io.StringIO(_export(seed_client, "csv"))))
    plain = [(i, quote.replace("\u00a0", " "), start, end) for i, quote, start, end in expected]  # CSV: plain spaces
    assert [(int(r["passage_id"]), r["quote"], int(r["char_start"]), int(r["char_end"])) for r in rows] == plain
    assert [r["title"] for r in rows] == [r["document"]["title"] for r in api]
    assert all(
        f"/read/{r['document_id']}?passage={r['passage_id']}&start=" in r["link"]
        and r["link"].endswith(f"#passage-{r['passage_id']}")
        for r in rows
    )

    exported = json.loads(_export(seed_client, "json"))
    assert exported["query"] == QUERY and exported["total"] >= len(api)
    assert [(r["passage_id"], r["quote"], r["char_start"], r["char_end"]) for r in exported["results"]] == expected

    items = json.loads(_export(seed_client, "csl-json"))
    assert [
        (i["custom"]["passage_id"], i["custom"]["quote"], i["custom"]["char_start"], i["custom"]["char_end"])
        for i in items
    ] == expected
    assert all(i["title"] and i["URL"].startswith("http") for i in items)

    records = [r for r in _export(seed_client, "ris").split("ER  -") if r.strip()]
    assert len(records) == len(api)
    citations = [r["citation"] for r in exported["results"]]
    for record, result, citation in zip(records, api, citations):
        tags = dict(line.split("  - ", 1) for line in record.strip().splitlines() if "  - " in line)
        assert tags["TI"] == result["document"]["title"] and tags["ID"] == f"passage-{result['passage_id']}"
        assert tags["N1"] == citation
    # One citation in every format: the CSV's and CSL-JSON's are the JSON's, and the API's with the same marked
    # sentence (exports mark it by meaning).
    assert [r["citation"] for r in rows] == citations == [i["note"] for i in items]
    semantic = seed_client.get("/search", params={"q": QUERY, "k": 5, "highlight": "semantic"}).json()["results"]
    assert [r["cite"] for r in semantic] == citations
    assert all(r["cite"].startswith("“") and f"passage={r['passage_id']}&" in r["cite"] for r in api)


def test_a_citation_names_the_document_page_offsets_link_and_quotes_the_marked_span(seed_client):
    exported = json.loads(_export(seed_client, "json", kind="NGO report"))
    for row in exported["results"]:
        citation = row["citation"]
        quoted, _, rest = citation[1:].partition("” — ")
        link = rest.rsplit(" ", 1)[1]
        start, end = (int(x) for x in link.split("&start=")[1].split("#")[0].split("&end="))
        assert rest.startswith(f"{row['title']}, Open Dialogue Foundation, 31 January 2020 – 29 February 2020")
        assert f", characters {start}–{end}. " in rest
        assert row["char_start"] <= start < end <= row["char_end"]  # the marked sentence, inside the quote
        text = seed_client.get(f"/documents/{row['document_id']}/text").json()["text"]
        assert quoted == " ".join(text[start:end].split())
        assert link == row["link"] and link.startswith("http")


def test_an_export_is_named_after_its_query(seed_client):
    english = seed_client.get("/search/export", params={"q": "Qaiyrbek hunger strike?", "format": "csl-json"})
    assert (
        english.headers["content-disposition"]
        == 'attachment; filename="archive-search-qaiyrbek-hunger-strike.csl.json"'
    )
    russian = seed_client.get("/search/export", params={"q": "Какой срок получил Ербол Есхожин?", "k": 2})
    disposition = russian.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="archive-search-kakoy-srok-poluchil-erbol-eskhozhin.csv"; ')
    assert disposition.endswith("filename*=UTF-8''archive-search-" + quote("какой-срок-получил-ербол-есхожин") + ".csv")
    assert disposition.isascii()


def test_csv_quotes_carry_plain_spaces_and_keep_their_offsets(seed_client):
    response = seed_client.get(
        "/search/export", params={"q": "Ulasbek Akhmetov sentence toughened", "k": 10, "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert "\u00a0" not in response.text
    texts = {int(r["document_id"]): seed_client.get(f"/documents/{r['document_id']}/text").json()["text"] for r in rows}
    originals = [texts[int(r["document_id"])][int(r["char_start"]) : int(r["char_end"])] for r in rows]
    assert any("\u00a0" in original for original in originals)  # the stored text has them, and keeps them
    assert [r["quote"] for r in rows] == [original.replace("\u00a0", " ") for original in originals]


def test_exports_keep_the_filters_and_state_dates_as_precisely_as_the_source(seed_client):
    params = {"published_from": "2020-02-01", "k": 3}
    items = json.loads(_export(seed_client, "csl-json", **params))
    assert items and all(i["issued"] == {"date-parts": [[2020, 1, 31], [2020, 2, 29]]} for i in items)
    assert all(i["type"] == "report" for i in items)
    ris = _export(seed_client, "ris", **params)
    assert "PY  - 2020" in ris and "DA  -" not in ris  # no single day is claimed
    assert json.loads(_export(seed_client, "json", **params))["filters"] == {"published_from": "2020-02-01"}
    assert seed_client.get("/search/export", params={"q": QUERY, "format": "docx"}).status_code == 422


def test_the_original_file_is_served(seed_client):
    from tests.conftest import CORPUS

    report = _report(seed_client)
    response = seed_client.get(f"/documents/{report['id']}/file")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert response.content == (CORPUS / report["source"]).read_bytes()
    assert seed_client.get("/documents/99999/file").status_code == 404


def test_a_person_has_a_timeline_of_stated_dates(seed_client):
    person = seed_client.get("/persons", params={"q": "Dzhakishev"}).json()["persons"][0]
    detail = seed_client.get(f"/persons/{person['id']}").json()
    timeline = detail["timeline"]
    assert len(timeline) >= 3
    assert [e["date"][:10] for e in timeline] == sorted(e["date"][:10] for e in timeline)
    texts: dict[int, str] = {}
    for entry in timeline:
        if entry["passage_id"] is None:
            continue
        document_id = entry["document"]["id"]
        texts.setdefault(document_id, seed_client.get(f"/documents/{document_id}/text").json()["text"])
        assert texts[document_id][entry["char_start"] : entry["char_end"]] == entry["text"]
        assert entry["date"][:4] in entry["text"]  # the sentence states the year
    assert any(e["passage_id"] is None and e["date"] == "2020-01-31/2020-02-29" for e in timeline)  # the report's date


@pytest.fixture
def runner_args(seed_settings, seed_services, seed_database_env):
    return ["--data-dir", str(seed_settings.resolved_data_dir)]


def test_cli_exports_and_batch(runner_args, tmp_path, seed_client):
    runner = CliRunner()
    api = seed_client.get("/search", params={"q": QUERY, "k": 3, "kind": "news article"}).json()["results"]
    result = runner.invoke(cli, [*runner_args, "search", QUERY, "-k", "3", "--kind", "news article", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [int(r["passage_id"]) for r in rows] == [r["passage_id"] for r in api]

    ris = runner.invoke(cli, [*runner_args, "search", QUERY, "-k", "3", "--format", "ris"])
    assert ris.exit_code == 0 and ris.output.count("ER  -") == 3

    batch = tmp_path / "names.txt"
    batch.write_text("Dzhakishev\n\nКакой срок получил Ербол Есхожин?\n", encoding="utf-8")
    result = runner.invoke(cli, [*runner_args, "search", "--batch", str(batch), "-k", "2"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["Dzhakishev", "Какой срок получил Ербол Есхожин?"]
    assert all(len(line["results"]) == 2 for line in lines)
    assert any("Dzhakishev" in r["quote"] for r in lines[0]["results"])

    neither = runner.invoke(cli, [*runner_args, "search"])
    assert neither.exit_code == 2 and "either a QUERY or --batch" in neither.output


def test_cli_links_start_with_the_configured_public_url(runner_args, monkeypatch):
    monkeypatch.setenv("ARCHIVE_PUBLIC_URL", "https://archive.example.org/archive/")
    runner = CliRunner()
    exported = runner.invoke(cli, [*runner_args, "search", QUERY, "-k", "2", "--format", "csv"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert rows and all(r["link"].startswith("https://archive.example.org/archive/read/") for r in rows)
    text = runner.invoke(cli, [*runner_args, "search", QUERY, "-k", "2"])
    cited = [
        line.strip().removeprefix("cite: ") for line in text.output.splitlines() if line.strip().startswith("cite:")
    ]
    assert cited == [r["citation"] for r in rows]  # the text output cites as every export does
    given = runner.invoke(
        cli, [*runner_args, "search", QUERY, "-k", "1", "--format", "json", "--base-url", "http://h:1"]
    )
    assert json.loads(given.output)["results"][0]["link"].startswith("http://h:1/read/")

"""Filters, paging and export of `GET /search` and `archive search` over the seed archive, in SQLite and in
PostgreSQL."""

# ruff: noqa: F811  (the seed fixtures imported from tests.each_database are the tests' arguments)

from __future__ import annotations

import csv
import io
import json

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
    assert [(int(r["passage_id"]), r["quote"], int(r["char_start"]), int(r["char_end"])) for r in rows] == expected
    assert [r["title"] for r in rows] == [r["document"]["title"] for r in api]
    assert all(
        f"/read/{r['document_id']}?passage={r['passage_id']}#passage-{r['passage_id']}" in r["link"] for r in rows
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
    for record, result in zip(records, api):
        tags = dict(line.split("  - ", 1) for line in record.strip().splitlines() if "  - " in line)
        assert tags["TI"] == result["document"]["title"] and tags["ID"] == f"passage-{result['passage_id']}"
        assert f"characters {result['citation']['char_start']}–{result['citation']['char_end']}" in tags["N1"]


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

"""Person records of the seed archive: quality against the labelled list, lookup in any script, search by person."""

from collections import defaultdict

from click.testing import CliRunner
from sqlmodel import Session, select

from api.cli import cli
from archive.models import Document, Mention, Passage, Person
from indexing.persons import name_key
from search.persons import find_persons
from tests.persons_gold import LOOKUPS, score_names

NOT_PERSONS = ("Koshe", "DVK", "Human Rights Watch", "Kazatomprom", "BTA Bank", "Radio Azattyk", "Almaty", "Kazakh")


def _persons_by_document(session: Session) -> dict[str, set[str]]:
    rows = session.exec(
        select(Document.source, Person.name)
        .join(Passage, Passage.document_id == Document.id)
        .join(Mention, Mention.passage_id == Passage.id)
        .join(Person, Person.id == Mention.person_id)
    ).all()
    found: dict[str, set[str]] = defaultdict(set)
    for source, name in rows:
        found[source].add(name)
    return found


def test_person_records_meet_precision_and_recall(seed_services):
    with Session(seed_services.engine) as session:
        precision, recall, problems = score_names(_persons_by_document(session))
        names = {name_key(p.name) for p in session.exec(select(Person)).all()}
    print(f"person records: precision={precision:.3f} recall={recall:.3f}", problems)
    assert precision >= 0.95 and recall >= 0.95, problems
    assert not names & {name_key(n) for n in NOT_PERSONS}


def test_mentions_point_at_the_name_inside_their_passage(seed_services):
    with Session(seed_services.engine) as session:
        rows = session.exec(
            select(Mention, Passage, Document)
            .join(Passage, Passage.id == Mention.passage_id)
            .join(Document, Document.id == Passage.document_id)
        ).all()
    assert len(rows) > 200
    for mention, passage, document in rows:
        assert passage.char_start <= mention.char_start < mention.char_end <= passage.char_end
        assert document.text[mention.char_start : mention.char_end][:1].isupper()


def test_every_cross_script_lookup_finds_the_right_person_first(seed_services):
    wrong = []
    with Session(seed_services.engine) as session:
        for case in LOOKUPS:
            found = find_persons(session, case["query"], limit=1)
            names = {name_key(n) for n in ([found[0].name, *found[0].aliases] if found else [])}
            if name_key(case["expected"]) not in names:
                wrong.append((case["query"], found[0].name if found else None, case["expected"]))
    assert not wrong, wrong


def test_persons_api_finds_bokayev_in_cyrillic(seed_client):
    persons = seed_client.get("/persons", params={"q": "Бокаев"}).json()["persons"]
    assert persons[0]["name"] == "Maks Bokayev" and persons[0]["mentions"] >= 5
    assert "Макс Бокаев" in persons[0]["aliases"]
    detail = seed_client.get(f"/persons/{persons[0]['id']}").json()
    assert detail["passages"] and all("Bokayev" in p["text"] for p in detail["passages"])
    assert {d["title"] for d in detail["documents"]} == {p["document"]["title"] for p in detail["passages"]}
    assert seed_client.get("/persons/999999").status_code == 404


def test_search_by_person_keeps_only_their_passages(seed_client):
    response = seed_client.get("/search", params={"q": "sentenced to prison", "person": "Қайырбек", "k": 10}).json()
    assert response["results"]
    for result in response["results"]:
        assert "Asqar Qaiyrbek" in {p["name"] for p in result["persons"]}
    unknown = seed_client.get("/search", params={"q": "court", "person": "Nobody Atall"})
    assert unknown.status_code == 404 and "Nobody Atall" in unknown.json()["detail"]


def test_a_query_naming_a_person_in_cyrillic_finds_their_passages(seed_services):
    hits = seed_services.searcher.search("Что известно о Руслане Гинатуллине?", k=5)
    assert any("Ginatullin" in hit.passage.text for hit in hits[:3])


def test_cli_persons_lists_bokayev_with_passages_and_merges(seed_settings, seed_services, seed_database_env):
    runner = CliRunner()
    data = str(seed_settings.resolved_data_dir)
    result = runner.invoke(cli, ["--data-dir", data, "persons", "Бокаев"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split(". ", 1)[1].startswith("Maks Bokayev")
    assert "characters" in result.output
    listing = runner.invoke(cli, ["--data-dir", data, "persons", "--json", "--limit", "3"])
    assert listing.exit_code == 0 and len(__import__("json").loads(listing.output)["persons"]) == 3


def test_merging_two_records_moves_aliases_and_mentions(fake_services, tmp_path):
    (tmp_path / "a.txt").write_text("Trial\n\nJudge Aralbai Nagashibayev heard the case of activist Serik Zhakhin.\n")
    fake_services.ingestor.ingest([tmp_path / "a.txt"])
    runner = CliRunner()
    data = str(fake_services.settings.resolved_data_dir)
    result = runner.invoke(cli, ["--data-dir", data, "persons", "merge", "Serik Zhakhin", "Aralbai Nagashibayev"])
    assert result.exit_code == 0, result.output
    with Session(fake_services.engine) as session:
        people = session.exec(select(Person)).all()
        assert [p.name for p in people] == ["Serik Zhakhin"]
        assert {m.person_id for m in session.exec(select(Mention)).all()} == {people[0].id}
    same = runner.invoke(cli, ["--data-dir", data, "persons", "merge", "Serik Zhakhin", "Serik Zhakhin"])
    assert same.exit_code == 1 and "itself" in same.output


def test_the_people_list_pages_with_a_total_that_does_not_change(seed_client):
    whole = seed_client.get("/persons", params={"limit": 500}).json()
    total = whole["total"]
    assert total == len(whole["persons"]) > 20
    mentions = [p["mentions"] for p in whole["persons"]]
    assert mentions == sorted(mentions, reverse=True)  # the most mentioned first
    seen: list[int] = []
    for offset in range(0, total + 9, 9):
        page = seed_client.get("/persons", params={"offset": offset, "limit": 9}).json()
        assert (page["total"], page["offset"]) == (total, offset)
        seen += [p["id"] for p in page["persons"]]
    assert seen == [p["id"] for p in whole["persons"]]  # the pages neither overlap nor leave a gap
    by_name = seed_client.get("/persons", params={"limit": 500, "sort": "name"}).json()
    names = [p["name"].casefold() for p in by_name["persons"]]
    assert by_name["total"] == total and names == sorted(names)
    matching = seed_client.get("/persons", params={"q": "Бокаев", "limit": 1}).json()
    assert matching["persons"][0]["name"] == "Maks Bokayev" and matching["total"] >= 1
    assert seed_client.get("/persons", params={"sort": "age"}).status_code == 422

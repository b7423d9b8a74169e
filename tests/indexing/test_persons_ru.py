"""People in Russian text: found by the Russian extractor, put in the nominative, junk left out, measured."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from archive.models import Mention, Person
from indexing.persons import find_person_mentions
from language.scripts import language_regions
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
GOLD = json.loads((DATA / "persons_ru_gold.json").read_text(encoding="utf-8"))["persons_ru.txt"]


@pytest.fixture(scope="module")
def labelled() -> tuple[str, set[str]]:
    text = (DATA / "persons_ru.txt").read_text(encoding="utf-8")
    return text, {m.name for m in find_person_mentions(text)}


def test_russian_persons_are_found_with_precision_and_recall_one(labelled):
    _, found = labelled
    gold = set(GOLD["persons"])
    precision, recall = len(found & gold) / len(found), len(found & gold) / len(gold)
    assert (precision, recall) == (1.0, 1.0), (found - gold, gold - found)


def test_junk_in_russian_text_is_not_a_person(labelled):
    text, found = labelled
    spans = {text[m.char_start : m.char_end] for m in find_person_mentions(text)}
    assert not any(junk in name for junk in GOLD["not_persons"] for name in found | spans)


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Суд приговорил Виктора Васильева к пяти годам.", "Виктор Васильев"),
        ("Адвокат Ивановой Марии Петровны обжаловал решение.", "Иванова Мария Петровна"),
        (
            "В Санкт-Петербурге художницу Александру Скочиленко обвинили в распространении информации о действиях "
            "армии.",
            "Александра Скочиленко",
        ),  # the gender the words leave open is read in the sentence
        ("Полиция задержала Льва Пономарёва у здания суда.", "Лев Пономарёв"),
        ("Алексей\u00a0Навальный и Сергей\u00a0Удальцов выступили на митинге.", "Алексей Навальный"),
    ],
)
def test_names_are_put_in_the_nominative_and_keep_exact_spans(sentence, name):
    mentions = find_person_mentions(sentence)
    assert name in {m.name for m in mentions}
    for mention in mentions:
        assert sentence[mention.char_start : mention.char_end].split()[-1][:3] == mention.name.split()[-1][:3]


def test_a_surname_alone_takes_the_full_name_used_in_the_text():
    text = (
        "Суд приговорил Виктора Васильева к пяти годам. Васильев вину не признал, адвокат Васильева обжалует приговор."
    )
    assert {m.name for m in find_person_mentions(text)} == {"Виктор Васильев"}
    assert len(find_person_mentions(text)) == 3


def test_each_paragraph_is_read_in_its_own_language():
    text = "The court sentenced him.\n\nСуд приговорил его.\n\nСот оны кінәлі деп тапты, Қазақстан.\n\nSo it goes."
    assert [language for _, _, language in language_regions(text)] == ["en", "ru", "kk", "en"]
    regions = language_regions(text)
    assert regions[0][0] == 0 and regions[-1][1] == len(text)
    mixed = "Activist Marat Zhylanbayev was sentenced.\n\nСуд приговорил Виктора Васильева к пяти годам."
    assert {m.name for m in find_person_mentions(mixed)} == {"Marat Zhylanbayev", "Виктор Васильев"}


def test_an_ingested_russian_document_gives_one_record_per_person(fake_services, tmp_path):
    (tmp_path / "ru.txt").write_text(
        "Приговор\n\nСуд приговорил Виктора Васильева к пяти годам. Виктор Васильев вину не признал.\n\n"
        "Адвокат Васильева обжалует приговор.\n",
        encoding="utf-8",
    )
    [outcome] = fake_services.ingestor.ingest([tmp_path / "ru.txt"])
    with Session(fake_services.engine) as session:
        assert [p.name for p in session.exec(select(Person))] == ["Виктор Васильев"]
        assert len(session.exec(select(Mention)).all()) == 3, outcome

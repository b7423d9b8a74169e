"""People in Kazakh text: found by the Kazakh rules, put in the nominative, junk left out, measured."""

from __future__ import annotations

import json
import re

import pytest

from indexing.persons import find_person_mentions
from indexing.persons.kazakh import nominative
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
GOLD = json.loads((DATA / "persons_kk_gold.json").read_text(encoding="utf-8"))["persons_kk.txt"]
MIN_PRECISION, MIN_RECALL = 0.95, 0.8  # measured: see the README


@pytest.fixture(scope="module")
def labelled() -> tuple[str, list]:
    text = (DATA / "persons_kk.txt").read_text(encoding="utf-8")
    return text, find_person_mentions(text)


def test_kazakh_persons_are_found_with_measured_precision_and_recall(labelled):
    _, mentions = labelled
    found, gold = {m.name for m in mentions}, set(GOLD["persons"])
    precision, recall = len(found & gold) / len(found), len(found & gold) / len(gold)
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, (found - gold, gold - found)


def test_places_things_and_declined_words_are_not_persons(labelled):
    text, mentions = labelled
    spans = [text[m.char_start : m.char_end] for m in mentions]
    names = [m.name for m in mentions]
    assert not any(junk in item for junk in GOLD["not_persons"] for item in spans + names)


def test_every_mention_is_an_exact_span_of_its_name(labelled):
    text, mentions = labelled
    for mention in mentions:
        surface = text[mention.char_start : mention.char_end]
        assert surface == surface.strip() and re.split(r"[\s.]", surface)[-1][:4] in mention.name


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("Байтұрсыновтың", "Байтұрсынов"),
        ("Жангелдинге", "Жангелдин"),
        ("Молдағұлованың", "Молдағұлова"),
        ("Назарбаевпен", "Назарбаев"),
        ("Уәлихановты", "Уәлиханов"),
        ("Ахметовқа", "Ахметов"),
        ("Тоқаевтан", "Тоқаев"),
        ("Нұрмұхамбетқызы", "Нұрмұхамбетқызы"),
        ("Жанұзақұлының", "Жанұзақұлы"),
        ("Алматыда", None),
        ("Конституцияның", None),
        ("Сот", None),
    ],
)
def test_case_endings_are_taken_off_surnames_and_patronymics_only(word, base):
    assert nominative(word) == base


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Сот белсенді Марат Жыланбаевқа жеті жыл бас бостандығынан айыру жазасын тағайындады.", "Марат Жыланбаев"),
        ("Журналист Махаббат Жақсылыққызының ісі бойынша сот отырысы өтті.", "Махаббат Жақсылыққызы"),
        ("Адвокат Айгүл Нұрлановамен кездесуге рұқсат берілмеді.", "Айгүл Нұрланова"),
        ("Прокурор Е.Б.Серікбаевтың айтуынша, іс сотқа жіберілді.", "Е.Б. Серікбаев"),
    ],
)
def test_names_in_any_case_are_put_in_the_nominative(sentence, name):
    assert name in {m.name for m in find_person_mentions(sentence)}


def test_a_capitalised_word_at_a_sentence_start_or_a_city_is_not_a_given_name():
    text = "Әулиеатада Тұрар Рысқұлов ұйым құрды. Бұл Рысқұлов туралы. Сәтбаев қаласында шахта бар."
    mentions = find_person_mentions(text)
    assert {m.name for m in mentions} == {"Тұрар Рысқұлов"}
    assert [text[m.char_start : m.char_end] for m in mentions] == ["Тұрар Рысқұлов", "Рысқұлов"]

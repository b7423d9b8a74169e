"""Person names as third-party text writes them: Kazakh case endings, Russian initials, English middle initials."""

from __future__ import annotations

import pytest

from benchmarks.persons import Score, overlap_matches
from indexing.persons import find_person_mentions
from indexing.persons.kazakh_tagger import LEXICON_PATH, MODEL_PATH


def spans(text: str) -> list[tuple[str, str]]:
    return [(text[m.char_start : m.char_end], m.name) for m in find_person_mentions(text)]


def test_the_kazakh_model_ships_small_inside_the_package():
    assert MODEL_PATH.stat().st_size < 5_000_000 and LEXICON_PATH.stat().st_size < 1_000_000


@pytest.mark.parametrize(
    ("sentence", "surface", "name"),
    [
        ("Елбасы Нұрсұлтан Назарбаевтың жолдауы жарияланды.", "Нұрсұлтан Назарбаевтың", "Нұрсұлтан Назарбаев"),
        ("Мемлекет басшысы Қасым-Жомарт Тоқаевқа хат жолдады.", "Қасым-Жомарт Тоқаевқа", "Қасым-Жомарт Тоқаев"),
        ("Ақын Абайдың өлеңдері оқылды.", "Абайдың", "Абай"),
    ],
)
def test_kazakh_names_keep_their_case_ending_in_the_span_and_lose_it_in_the_name(sentence, surface, name):
    assert (surface, name) in spans(sentence)


def test_a_kazakh_sentence_without_kazakh_only_letters_is_still_read_as_kazakh():
    sentence = "Ерубаев — 10. Сергей Трахтенберг жарысқа келді."
    assert [s for s, _ in spans(sentence)] == ["Сергей Трахтенберг"]


def test_russian_initials_stay_in_the_span_and_families_and_prizes_are_no_persons():
    text = "В.Путин встретился с Н. Н. Вертинской. Семья Аньелли и премия Стругацких здесь ни при чём."
    found = [s for s, _ in spans(text)]
    assert "В.Путин" in found and "Н. Н. Вертинской" in found
    assert not any("Аньелли" in s or "Стругацких" in s for s in found)


def test_a_russian_surname_repeated_in_another_case_is_the_same_person():
    text = "Замминистра Григорий Карасин прибыл в Берлин. Позже с Карасиным встретились дипломаты."
    found = dict(spans(text))
    assert "Карасиным" in found and found["Карасиным"] == found["Григорий Карасин"]


def test_english_middle_initials_and_particles_belong_to_the_name_and_organisation_words_end_none():
    text = "The report was written by George F. Hauser. Dorothea von Schlegel lived near the Reading Railroad."
    found = [s for s, _ in spans(text)]
    assert "George F. Hauser" in found and "Dorothea von Schlegel" in found
    assert not any("Railroad" in s for s in found)


def test_scores_count_exact_and_one_to_one_overlap_matches():
    score = Score()
    score.add("Ann Lee and Bob Ray", gold=[(0, 7), (12, 19)], found=[(0, 7), (12, 15), (16, 19)])
    assert (score.exact, score.overlap, score.found, score.gold) == (1, 2, 3, 2)
    assert overlap_matches([(0, 5)], [(10, 12)]) == 0

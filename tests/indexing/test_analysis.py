"""Lexical analysis: each language's inflected forms meet their stem; letter variants fold; languages are told apart."""

import pytest

from indexing.analysis import index_terms
from language.kazakh_stemmer import stem_kazakh
from language.letters import normalise_letters
from language.words import stems


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("приговорили", "приговор"),
        ("активистов", "активисты"),
        ("части", "часть"),
        ("sentenced", "sentence"),
        ("prosecutions", "prosecution"),
    ],
)
def test_russian_and_english_inflections_meet(inflected, base):
    assert stems(inflected) == stems(base)


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("гидраның", "гидра"),
        ("соттарының", "сот"),
        ("белсенділерге", "белсенді"),
        ("Қазақстанда", "Қазақстан"),
        ("адвокаттардың", "адвокат"),
    ],
)
def test_kazakh_case_and_plural_endings_are_stripped(inflected, base):
    assert stem_kazakh(normalise_letters(inflected)) == stem_kazakh(normalise_letters(base))


def test_kazakh_stems_keep_enough_letters_to_stay_apart():
    assert stem_kazakh("сот") == "сот"
    assert stem_kazakh("ана") != stem_kazakh("ан")  # short words are not stripped to nothing
    assert len(stem_kazakh("құқықтарының")) >= 3


def test_words_of_a_kazakh_text_are_stemmed_as_kazakh_even_without_kazakh_letters():
    # "соттар" has no Kazakh-only letter; the sentence around it makes it Kazakh, so the plural is stripped.
    assert stems("Соттар белсенділерді соттады")[0] == stems("Сот шешімі")[0]


def test_letter_variants_and_homoglyphs_fold():
    assert normalise_letters("ӛмір") == normalise_letters("өмір")
    assert normalise_letters("Ёлка") == "елка"
    assert index_terms("Мukhtar") == index_terms("Mukhtar")  # a Cyrillic М in a Latin word
    assert index_terms("суд\u00a0приговорил") == index_terms("суд приговорил")


def test_a_query_in_kazakh_is_stemmed_as_kazakh_and_one_in_russian_as_russian():
    assert stems("Кто подписал письмо?")[-1] == "письм"  # Russian Snowball
    assert stems("Хатқа кім қол қойды?")[0] == stem_kazakh("хатқа")


def test_words_broken_at_a_line_end_are_indexed_whole():
    assert index_terms("repre-\nsenting the кар-\nтинки") == index_terms("representing the картинки")
    assert index_terms("Almaty-\nBased") != index_terms("AlmatyBased")  # a capital after the break: a real hyphen

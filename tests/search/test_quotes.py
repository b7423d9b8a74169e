"""Quote check over the seed archive: real model, real SQLite (FTS5), real FAISS index."""

from __future__ import annotations

import pytest

from archive.errors import InvalidInputError
from search.filters import SearchFilters
from search.quotes import Verdict
from search.quotes.words import fold, words

REPORT = "List of Kazakhstani political prisoners and other politically prosecuted persons"
ATABEK = "On 18 October 2007, the court sentenced Atabek to 18 years in prison."
AKHMETOV = (
    "The court also ruled that Akhmetov, who was recognized by human rights groups in Kazakhstan as a political "
    "prisoner, must serve his term not in a colony settlement, as per Akhmetov's initial sentence, but in a regular "
    "prison."
)


def check(seed_services, quote: str, k: int = 3):
    matches = seed_services.quotes.check(quote, k=k)
    for match in matches:  # every citation points at the matched span itself
        assert match.original == match.document.text[match.char_start : match.char_end]
        assert match.passage.document_id == match.document.id
        assert match.passage.char_start <= match.char_start < match.passage.char_end
    return matches


def test_an_exact_sentence_is_exact_with_its_exact_span(seed_services):
    best = check(seed_services, ATABEK)[0]
    assert best.verdict is Verdict.exact and best.similarity == 1.0
    assert best.original == ATABEK and best.document.title == REPORT
    assert best.char_start == best.document.text.index(ATABEK)
    assert [d.op for d in best.diff] == ["equal"]


def test_changed_punctuation_and_case_is_cosmetic(seed_services):
    best = check(seed_services, "«on 18 october 2007 the court sentenced ATABEK to 18 years in prison»")[0]
    assert best.verdict is Verdict.cosmetic
    assert best.original == ATABEK  # the quote ends in punctuation, so the span takes the full stop


def test_a_changed_number_is_altered_and_the_diff_shows_it(seed_services):
    best = check(seed_services, ATABEK.replace("18 years", "15 years"))[0]
    assert best.verdict is Verdict.altered and best.original == ATABEK
    changes = [(d.op, d.quote, d.original) for d in best.diff if d.op != "equal"]
    assert changes == [("replace", "15", "18")]


def test_a_changed_and_an_added_word_are_altered(seed_services):
    best = check(seed_services, "On 18 October 2007, the judge sentenced Atabek to 18 long years in prison.")[0]
    assert best.verdict is Verdict.altered and best.original == ATABEK
    changes = [(d.op, d.quote, d.original) for d in best.diff if d.op != "equal"]
    assert changes == [("replace", "judge", "court"), ("delete", "long", "")]


def test_a_quote_cut_before_its_qualifying_clause_is_truncated_with_the_full_sentence(seed_services):
    quote = AKHMETOV[: AKHMETOV.index(", as per")]
    best = check(seed_services, quote)[0]
    assert best.verdict is Verdict.truncated
    assert best.original == AKHMETOV
    assert best.diff[-1].op == "insert" and best.diff[-1].original.endswith("but in a regular prison")


def test_a_fragment_that_omits_nothing_qualifying_is_not_truncated(seed_services):
    best = check(seed_services, "the court sentenced Atabek to 18 years in prison")[0]
    assert best.verdict is Verdict.exact  # "On 18 October 2007, " before it frames the words, it does not qualify them
    assert best.original == "the court sentenced Atabek to 18 years in prison"


@pytest.mark.parametrize(
    "quote",
    [
        "18 октября 2007 года суд приговорил Атабека к 18 годам лишения свободы.",
        "2007 жылғы 18 қазанда сот Атабекті 18 жылға бас бостандығынан айырды.",
    ],
)
def test_a_russian_or_kazakh_translation_points_at_the_english_sentence(seed_services, quote):
    best = check(seed_services, quote)[0]
    assert best.verdict is Verdict.translation
    assert best.original == ATABEK and best.diff == []


def test_the_same_meaning_in_other_english_words_is_a_paraphrase(seed_services):
    best = check(seed_services, "In October 2007 a judge gave Atabek an eighteen-year prison term.")[0]
    assert best.verdict is Verdict.paraphrase and best.original == ATABEK


@pytest.mark.parametrize(
    "quote",
    [
        "The recipe calls for two cups of flour and a pinch of salt.",
        "The weather in Paris was sunny and warm last weekend.",
    ],
)
def test_an_unrelated_sentence_has_no_matches(seed_services, quote):
    assert check(seed_services, quote) == []


def test_matches_respect_the_filters(seed_services):
    report = check(seed_services, ATABEK)[0].document.id
    article = check(seed_services, AKHMETOV)[0].document.id
    only_article = seed_services.quotes.check(ATABEK, filters=SearchFilters(document_id=article))
    assert all(m.document.id == article for m in only_article)
    only_report = seed_services.quotes.check(ATABEK, filters=SearchFilters(document_id=report))
    assert only_report[0].verdict is Verdict.exact


@pytest.mark.parametrize("quote, k", [("   ", 3), ("x" * 1001, 3), (ATABEK, 0), ("«…»", 3)])
def test_bad_input_is_refused(seed_services, quote, k):
    with pytest.raises(InvalidInputError):
        seed_services.quotes.check(quote, k=k)


def test_words_fold_only_cosmetic_differences():
    assert fold("Ёлка") == fold("елка")
    assert fold("Мukhtar") == fold("Mukhtar")  # a Cyrillic М among Latin letters
    assert [w.key for w in words("detain-\nees said")] == ["detainees", "said"]
    assert fold("ﬁne") == "fine"


# A sentence of the report, translated by hand into Russian and Kazakh, faithfully and with one fact changed.
AKHMETOV_RU = (
    "Суд также постановил, что Ахметов, которого правозащитные группы Казахстана признали политическим заключённым, "
    "должен отбывать срок не в колонии-поселении, как было предусмотрено первоначальным приговором, а в обычной тюрьме."
)
AKHMETOV_KK = (
    "Сот сондай-ақ Қазақстандағы құқық қорғау топтары саяси тұтқын деп таныған Ахметов жазасын бастапқы үкімде "
    "көрсетілгендей колония-қоныста емес, кәдімгі түрмеде өтеуі керек деп шешті."
)
ATABEK_RU = "18 октября 2007 года суд приговорил Атабека к 18 годам лишения свободы."
ATABEK_KK = "2007 жылғы 18 қазанда сот Атабекті 18 жылға бас бостандығынан айырды."


@pytest.mark.parametrize("quote", [AKHMETOV_RU, AKHMETOV_KK, ATABEK_RU, ATABEK_KK])
def test_a_faithful_translation_is_a_translation_of_the_right_sentence(seed_services, quote):
    best = check(seed_services, quote)[0]
    source = AKHMETOV if "Ахметов" in quote else ATABEK
    assert best.verdict is Verdict.translation, best
    assert best.original == source and best.char_start == best.document.text.index(source)
    assert best.diff == [] and "translation" in best.explanation


@pytest.mark.parametrize(
    ("quote", "changed", "kind"),
    [
        (ATABEK_RU.replace("к 18 годам", "к 15 годам"), ("15", "18"), "number"),
        (ATABEK_KK.replace("18 жылға", "15 жылға"), ("15", "18"), "number"),
        (ATABEK_RU.replace("Атабека", "Назарбаева"), ("Назарбаева", "Atabek"), "name"),
        (AKHMETOV_KK.replace("Ахметов", "Есхожин"), ("Есхожин", "Akhmetov"), "name"),
        (AKHMETOV_RU.replace("Ахметов", "Есхожин"), ("Есхожин", "Akhmetov"), "name"),
    ],
)
def test_a_translation_with_a_changed_number_or_name_is_altered_and_names_it(seed_services, quote, changed, kind):
    best = check(seed_services, quote)[0]
    assert best.verdict is Verdict.altered, best
    assert best.original in (ATABEK, AKHMETOV)
    assert [(d.op, d.quote, d.original) for d in best.diff] == [("replace", *changed)]
    assert best.explanation.startswith(f"translation, with a different {kind}")


def test_every_verdict_comes_with_an_explanation(seed_services):
    for quote in (ATABEK, ATABEK.replace("18 years", "15 years"), ATABEK_RU):
        assert all(match.explanation for match in check(seed_services, quote))

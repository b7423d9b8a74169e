"""The sentence of a passage that answers the query: lexical overlap, transliteration, and the real embedder."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from api.services import Services
from search.highlight import Highlighter, best_sentence_span, sentences

PASSAGE = (
    "The court also ruled that Akhmetov must serve his term not in a colony settlement, but in a regular prison. "
    "A colony settlement is a dormitory-like penitentiary located near an industrial facility where convicts work "
    "along with regular people.\n\n"
    "According to the KMBPCh, the court did not provide any explanation for its move. "
    "Earlier, a court in Shymkent sentenced Erbol Eskhozhin to 2 1/2 years in prison."
)


def _quote(text: str, span: tuple[int, int]) -> str:
    start, end = span
    assert 0 <= start < end <= len(text)
    return text[start:end]


def test_sentences_cover_the_passage_in_order() -> None:
    spans = sentences(PASSAGE)
    assert len(spans) == 4
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert _quote(PASSAGE, spans[3]).startswith("Earlier, a court in Shymkent")
    assert sentences("One sentence only") == [(0, 17)]
    assert best_sentence_span("", "anything") == (0, 0)


def test_lexical_overlap_finds_the_sentence_in_english() -> None:
    assert "Shymkent sentenced Erbol" in _quote(PASSAGE, best_sentence_span(PASSAGE, "Who was sentenced in Shymkent?"))


def test_cyrillic_names_meet_their_latin_spelling() -> None:
    span = best_sentence_span(PASSAGE, "Какой срок получил Ербол Есхожин?")
    assert "Erbol Eskhozhin" in _quote(PASSAGE, span)


def test_the_embedder_decides_between_sentences_the_words_cannot_tell_apart(seed_services: Services) -> None:
    highlighter = Highlighter(seed_services.embedder)
    # Both of the first sentences name a colony settlement; only the second says what it is.
    english = highlighter.span("What is a colony settlement?", PASSAGE)
    assert "dormitory-like penitentiary" in _quote(PASSAGE, english)
    kazakh = highlighter.span("Колония-қоныс дегеніміз не?", PASSAGE)
    assert "dormitory-like penitentiary" in _quote(PASSAGE, kazakh)
    embedded = highlighter.embedded
    assert 0 < embedded <= len(sentences(PASSAGE))
    highlighter.span("Колония-қоныс дегеніміз не?", PASSAGE)
    assert highlighter.embedded == embedded  # sentence vectors are cached


def test_only_the_first_results_use_the_embedder(seed_services: Services) -> None:
    highlighter = Highlighter(seed_services.embedder, semantic_results=1)
    spans = highlighter.spans("Колония-қоныс дегеніміз не?", [PASSAGE + " ", PASSAGE + "  "])
    assert len(spans) == 2
    assert highlighter.embedded <= len(sentences(PASSAGE))  # the second passage is highlighted lexically


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("What is a colony settlement?", "dormitory-like penitentiary"),
        ("Какой срок получил Ербол Есхожин?", "Erbol Eskhozhin"),
        ("Колония-қоныс дегеніміз не?", "dormitory-like penitentiary"),
    ],
)
def test_search_results_carry_the_highlight_span(seed_client: TestClient, query: str, expected: str) -> None:
    results = seed_client.get("/search", params={"q": query, "k": 5, "highlight": "semantic"}).json()["results"]
    for result in results:
        start, end = result["highlight"]["char_start"], result["highlight"]["char_end"]
        assert 0 <= start < end <= len(result["text"])
    answering = [r for r in results[:3] if expected in r["text"]]
    assert answering, [r["text"][:60] for r in results]
    highlight = answering[0]["highlight"]
    assert expected in answering[0]["text"][highlight["char_start"] : highlight["char_end"]]


def test_the_default_lexical_highlight_is_a_sentence_with_the_querys_words(seed_client: TestClient) -> None:
    results = seed_client.get("/search", params={"q": "Какой срок получил Ербол Есхожин?", "k": 3}).json()["results"]
    answering = next(r for r in results if "Erbol Eskhozhin" in r["text"])
    start, end = answering["highlight"]["char_start"], answering["highlight"]["char_end"]
    assert "Erbol Eskhozhin" in answering["text"][start:end]


def test_russian_words_meet_their_english_counterparts_without_the_embedder():
    passage = "The hearing took place on Monday. Lepesova was also sentenced to 100 hours of community work."
    start, end = best_sentence_span(passage, "Кого приговорили к 100 часам общественных работ?")
    assert passage[start:end].startswith("Lepesova")


def test_sentence_vectors_stored_at_ingest_spare_the_embedder(seed_services):
    from indexing.sentence_vectors import stored_sentences
    from search.highlight import Highlighter

    query = "Почему активист объявил голодовку?"  # no word in common with the English sources: meaning decides
    hits = seed_services.searcher.search(query, k=3)
    texts = [hit.text for hit in hits]
    fresh, primed = Highlighter(seed_services.embedder), Highlighter(seed_services.embedder)
    dim = seed_services.embedder.spec.dim
    primed.remember(
        [
            pair
            for h in hits
            for pair in stored_sentences(h.passage.text, h.passage.sentence_spans, h.passage.sentence_vectors, dim)
        ]
    )
    assert fresh.spans(query, texts) and fresh.embedded > 0
    primed.spans(query, texts)
    assert primed.embedded < fresh.embedded


def test_a_heading_or_a_list_number_is_never_the_answering_sentence() -> None:
    headed = (
        "Hot topics:\n\n4.\n\nThe report lists the hot topics of the year: the trials of activists and their sentences."
    )
    quoted = _quote(headed, best_sentence_span(headed, "hot topics 4"))
    assert quoted.startswith("The report lists the hot topics"), quoted  # not "Hot topics:" nor "4."
    assert best_sentence_span("Hot topics:", "hot topics") == (0, 11)  # a passage with nothing else keeps it

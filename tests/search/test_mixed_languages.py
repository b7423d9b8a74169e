"""An archive of three languages: the answer wins, not the language it happens to share with the question.

The seed corpus (English) plus off-topic news and encyclopaedia text in English, Russian and Kazakh (tests/data/
offtopic: trials in other countries, sentences, courts) — the text a Russian or Kazakh question would share its
language with. Every seed question must be answered on the first page as well as in the seed corpus alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from archive.settings import Settings
from indexing.pipeline import collect_files
from language.scripts import passage_language
from search.evaluation import evaluate, load_questions
from search.language_balance import LanguageCalibration, language_projection, project
from tests.conftest import CORPUS, QUESTIONS

OFFTOPIC = Path(__file__).resolve().parent.parent / "data" / "offtopic"


@pytest.fixture(scope="module")
def mixed_services(tmp_path_factory: pytest.TempPathFactory, seed_embedder) -> Iterator[Services]:
    services = Services.open(Settings(data_dir=tmp_path_factory.mktemp("mixed-archive")), embedder=seed_embedder)
    outcomes = services.ingestor.ingest(list(collect_files([CORPUS, OFFTOPIC])))
    assert {o.state.value for o in outcomes} == {"indexed"}, outcomes
    yield services
    services.close()


def test_the_seed_questions_are_answered_on_the_first_page_as_in_the_seed_corpus_alone(
    mixed_services, sqlite_seed_services
):
    questions = load_questions(QUESTIONS)
    alone = evaluate(sqlite_seed_services.searcher, questions, k=5)
    mixed = evaluate(mixed_services.searcher, questions, k=5)
    by_language = {score.lang: score.recall for score in alone.by_language}
    for score in mixed.by_language:
        assert score.recall >= by_language[score.lang], (score, mixed.misses)


def test_each_result_says_its_language_and_the_answer_in_another_language_is_on_the_first_page(mixed_services):
    hits = mixed_services.searcher.search("Кого приговорили к 100 часам общественных работ в Таразе?", k=5)
    assert [hit.language for hit in hits] == [passage_language(hit.passage.text) for hit in hits]
    assert any(hit.document.source.startswith("004_") and hit.language == "en" for hit in hits)


def test_the_language_component_is_learned_from_the_archive_and_removed():
    """Vectors of 100 topics in two languages, each language adding its own accent: before the projection every
    vector is closer to another topic in its own language than to its own topic in the other language; after, few."""
    rng = np.random.default_rng(1)
    topics = rng.normal(size=(100, 32))
    samples = {
        language: (topics + rng.normal(size=32) * 1.5 + rng.normal(size=(100, 32)) * 0.3).astype(np.float32)
        for language in ("en", "ru")
    }

    def translation_wins(projection: np.ndarray | None) -> float:
        english, russian = project(samples["en"], projection), project(samples["ru"], projection)
        english = english / np.linalg.norm(english, axis=1, keepdims=True)
        russian = russian / np.linalg.norm(russian, axis=1, keepdims=True)
        other_topics = english @ english.T
        np.fill_diagonal(other_topics, -1)
        return float(((english * russian).sum(axis=1) > other_topics.max(axis=1)).mean())

    assert translation_wins(None) == 0.0
    assert translation_wins(language_projection(samples)) > 0.8


def test_cosines_are_mapped_onto_the_query_languages_scale():
    query = np.array([1.0, 0.0], dtype=np.float32)
    samples = {
        "ru": np.array([[0.9, 0.1], [0.7, 0.3], [0.8, 0.2]] * 20, dtype=np.float32),  # the query's language: closer
        "en": np.array([[0.6, 0.4], [0.4, 0.6], [0.5, 0.5]] * 20, dtype=np.float32),
    }
    calibration = LanguageCalibration.of(query, "ru", samples)
    assert calibration.active
    assert calibration.calibrated(0.8, "ru") == pytest.approx(0.8)  # the query's language is its own scale
    assert calibration.calibrated(0.5, "en") == pytest.approx(0.8)  # English's mean reads as Russian's mean
    assert calibration.calibrated(0.6, "en") > 0.8  # above English's mean reads as above Russian's
    assert not LanguageCalibration.of(query, "ru", {"ru": samples["ru"]}).active  # one language: nothing to balance


def test_the_api_and_the_page_say_when_the_answers_are_in_other_languages(mixed_services):
    with TestClient(create_app(services=mixed_services)) as client:
        query = "Какой срок получил Ербол Есхожин?"
        body = client.get("/search", params={"q": query, "k": 5}).json()
        assert body["query_language"] == "ru"
        assert body["languages_note"].startswith("Asked in Russian: of these 5 results,")
        assert "in English" in body["languages_note"]
        page = client.get("/", params={"q": query, "k": 5}).text
        assert "languages-note" in page and "Asked in Russian" in page

"""The development questions keep retrieval quality where it must be, per language."""

from search.evaluation import evaluate, load_questions, normalise
from tests.conftest import QUESTIONS


def test_answers_are_compared_after_normalisation():
    assert normalise("“Quoted”  TEXT\n here") == '"quoted" text here'


def test_development_set_meets_the_quality_bar(seed_services):
    report = evaluate(seed_services.searcher, load_questions(QUESTIONS), k=5)
    figures = {s.lang: (round(s.recall, 3), round(s.mrr, 3)) for s in [*report.by_language, report.overall]}
    print("Recall@5 / MRR@10:", figures, "misses:", report.misses)
    assert report.overall.recall >= 0.95, figures
    assert report.overall.mrr >= 0.85, figures
    for score in report.by_language:
        assert score.recall >= 0.90, (score.lang, figures)
    assert {s.lang for s in report.by_language} == {"en", "ru", "kk"}

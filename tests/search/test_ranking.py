"""Ranking: one score per candidate from its features; deterministic ties; cross-script words worth less; no overlap."""

import pytest

from search import ranking
from search.ranking import Candidate, rank, without_overlaps


def _candidate(passage_id, *, document_id=1, span=(0, 100), dense=0.80, sentence=0.80, **features):
    return Candidate(passage_id, document_id, span, dense, sentence, **features)


def test_equal_scores_are_ordered_by_dense_score_then_by_passage_id(monkeypatch):
    monkeypatch.setattr(ranking, "SENTENCE_WEIGHT", 1.0)  # the semantic score is then the better of the two
    a = _candidate(7, dense=0.81, sentence=0.79)
    b = _candidate(3, dense=0.80, sentence=0.81)
    c = _candidate(5, dense=0.80, sentence=0.81)
    assert a.score == b.score == c.score
    for candidates in ([a, b, c], [c, b, a], [b, a, c]):
        assert [x.passage_id for x in rank(candidates)] == [7, 3, 5]


def test_a_stray_word_match_does_not_outrank_a_clearly_better_meaning():
    meaning = _candidate(1, dense=0.86, sentence=0.88)
    stray_word = _candidate(2, dense=0.81, sentence=0.82, lexical=0.15)  # one common word of five matched
    assert [c.passage_id for c in rank([stray_word, meaning])] == [1, 2]


def test_a_full_word_match_lifts_a_passage_among_close_meanings():
    close = _candidate(1, dense=0.84, sentence=0.85)
    matching = _candidate(2, dense=0.83, sentence=0.84, lexical=1.0)
    assert [c.passage_id for c in rank([close, matching])] == [2, 1]


def test_a_match_across_scripts_counts_for_less_than_one_in_the_query_script():
    same_script = _candidate(1, lexical=1.0)
    across_scripts = _candidate(2, cross_lexical=1.0)
    assert same_script.score > across_scripts.score > _candidate(3).score


def test_repeated_words_cannot_outweigh_meaning_without_limit():
    assert _candidate(1, lexical=25.0).score == _candidate(1, lexical=1.0).score


def test_the_best_sentence_lifts_a_passage_whose_whole_matches_less_well():
    one_sentence_answers = _candidate(1, dense=0.80, sentence=0.90)
    evenly_related = _candidate(2, dense=0.82, sentence=0.82)
    assert [c.passage_id for c in rank([evenly_related, one_sentence_answers])] == [1, 2]


def test_overlapping_passages_of_one_document_are_cut_to_what_is_new():
    first = _candidate(1, span=(100, 800))
    overlapping_after = _candidate(2, span=(700, 1400))
    overlapping_before = _candidate(3, span=(0, 150))
    inside = _candidate(4, span=(200, 300))
    other_document = _candidate(5, document_id=2, span=(100, 800))
    results = without_overlaps([first, overlapping_after, overlapping_before, inside, other_document])
    assert [(r.candidate.passage_id, r.char_start, r.char_end) for r in results] == [
        (1, 100, 800),
        (2, 800, 1400),
        (3, 0, 100),
        (5, 100, 800),
    ]


def test_semantic_scores_take_each_passages_best_sentence_or_its_own_cosine():
    import numpy as np

    from archive.storage import PassageVectors
    from indexing.sentence_vectors import pack

    rng = np.random.default_rng(0)
    unit = lambda a: a / np.linalg.norm(a, axis=-1, keepdims=True)  # noqa: E731
    query = unit(rng.standard_normal(8)).astype(np.float32)
    passages = unit(rng.standard_normal((3, 8))).astype(np.float32)
    sentences = [unit(rng.standard_normal((n, 8))).astype(np.float32) for n in (3, 0, 2)]
    rows = [PassageVectors(i + 1, 1, 0, 10, passages[i].tobytes(), pack(sentences[i])) for i in range(3)]
    dense, sentence = ranking.semantic_scores(rows, query)
    assert dense == pytest.approx(passages @ query, abs=1e-6)
    expected = [
        float((sentences[0].astype(np.float16).astype(np.float32) @ query).max()),
        float(passages[1] @ query),  # no sentence vectors: the passage's own cosine
        float((sentences[2].astype(np.float16).astype(np.float32) @ query).max()),
    ]
    assert sentence == pytest.approx(expected, abs=1e-6)

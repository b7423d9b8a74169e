"""Hybrid search over the seed archive, with the real bundled model."""

import pytest

from archive.errors import InvalidInputError, NotFoundError
from search.filters import SearchFilters
from search.searcher import SearchMode


def _assert_exact_citations(hits):
    for hit in hits:
        passage, document = hit.passage, hit.document
        assert passage.text == document.text[passage.char_start : passage.char_end]
        assert passage.char_start <= hit.char_start < hit.char_end <= passage.char_end
        assert hit.text == document.text[hit.char_start : hit.char_end]


def test_an_exact_name_is_found_by_the_lexical_side(seed_services):
    hits = seed_services.searcher.search("Judge Aralbai Nagashibayev", k=5)
    assert "Judge Aralbai Nagashibayev" in hits[0].passage.text
    _assert_exact_citations(hits)


def test_a_russian_question_finds_the_english_answer(seed_services):
    hits = seed_services.searcher.search("Какой срок получил Ербол Есхожин?", k=5)
    assert any("Erbol Eskhozhin to 2 1/2 years in prison" in hit.passage.text for hit in hits)


def test_a_kazakh_question_finds_the_english_answer(seed_services):
    hits = seed_services.searcher.search("Колония-қоныс дегеніміз не?", k=5)
    assert any("dormitory-like penitentiary" in hit.passage.text for hit in hits)


def test_results_are_ranked_and_cited_exactly(seed_services):
    hits = seed_services.searcher.search("hunger strike", k=10)
    assert [hit.rank for hit in hits] == list(range(1, len(hits) + 1))
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert len({hit.passage.id for hit in hits}) == len(hits) == 10
    _assert_exact_citations(hits)


def test_document_filter_applies_before_the_top_k(seed_services):
    target = seed_services.searcher.search("Taraz court Lepesova", k=1)[0].document.id
    hits = seed_services.searcher.search("political prisoners", k=5, filters=SearchFilters(document_id=target))
    assert hits and {hit.document.id for hit in hits} == {target}


def test_unknown_document_and_bad_arguments_are_domain_errors(seed_services):
    with pytest.raises(NotFoundError, match="document 99999"):
        seed_services.searcher.search("court", filters=SearchFilters(document_id=99999))
    with pytest.raises(InvalidInputError, match="empty"):
        seed_services.searcher.search("   ")
    with pytest.raises(InvalidInputError, match="k must be"):
        seed_services.searcher.search("court", k=0)


def test_query_syntax_never_leaks_into_the_lexical_index(seed_services):
    for query in ('"unbalanced', "NEAR(court", "a* OR -b", "16/2017 AND (", "'; DROP TABLE passage; --"):
        seed_services.searcher.search(query, k=3)


def test_results_of_one_document_never_overlap(seed_services):
    hits = seed_services.searcher.search("Akhmetov letter to the UN and the EU, sentence toughened", k=30)
    _assert_exact_citations(hits)
    spans: dict[int, list[tuple[int, int]]] = {}
    for hit in hits:
        for start, end in spans.get(hit.document.id, []):
            assert hit.char_end <= start or end <= hit.char_start, (hit.rank, hit.char_start, hit.char_end)
        spans.setdefault(hit.document.id, []).append((hit.char_start, hit.char_end))


def test_a_query_nothing_in_the_archive_answers_gets_no_results(seed_services):
    assert seed_services.searcher.search("xqzv blorf", k=10) == []
    assert seed_services.searcher.search("xqzv blorf", k=10, mode=SearchMode.dense)  # plain cosine search lists noise

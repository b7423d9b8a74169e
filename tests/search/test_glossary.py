from search.glossary import default_glossary, parse_glossary


def test_russian_and_kazakh_words_of_the_field_map_to_english():
    glossary = default_glossary()
    assert {"UN", "letter", "signed"} <= set(glossary.english_terms("Кто подписал письмо в ООН?"))
    assert "appeal" in glossary.english_terms("Сот апелляциясын қанағаттандырмады")
    assert glossary.english_terms("Колония-қоныс дегеніміз не?")[0] == "colony settlement"
    assert glossary.english_terms("What is a colony settlement?") == []


def test_longest_stem_wins_and_short_stems_take_only_short_endings():
    glossary = parse_glossary("суд\tcourt\nсудь\tjudge\nқол қой\tsigned\n")
    assert glossary.english_terms("судья") == ["judge"]
    assert glossary.english_terms("суда") == ["court"]
    assert glossary.english_terms("судостроительный") == []
    assert glossary.english_terms("хатқа қол қойды") == ["signed"]

"""Person mentions in Russian text: natasha's NER proposes names, pymorphy3 puts them in the nominative.

"Виктора Васильева" and "Васильев" become mentions of Виктор Васильев; a surname alone takes the full name used
earlier (else later) in the same text. Titles and other words before a name ("Адвокат", "Если") are trimmed, and
spans without a word that can be a personal name are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from indexing.persons.keys import surname_key
from indexing.persons.names import masculine_key
from indexing.text_pieces import text_pieces

PIECE_CHARS = 20_000  # natasha reads a Russian region in pieces of whole paragraphs of at most this size
NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
_GENDERS = {"Masc": "masc", "Fem": "femn"}
_PREFERRED_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_NAME_WORD = re.compile(r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?$")


@lru_cache(maxsize=1)
def _models() -> tuple[Any, Any, Any]:
    """natasha's segmenter and NER tagger and a pymorphy3 analyser, loaded once (the weights ship in the wheels)."""
    import pymorphy3
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding()), pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1)
def _morph_tagger() -> Any:
    """natasha's contextual morphology tagger (slow: used only for names whose gender the words leave open)."""
    from natasha import NewsEmbedding, NewsMorphTagger

    return NewsMorphTagger(NewsEmbedding())


def _gender_in_context(sentence: str, word: str) -> str | None:
    """The gender natasha's tagger reads for `word` in its sentence ("обвинили Александру" → femn)."""
    from natasha import Doc

    doc = Doc(sentence)
    doc.segment(_models()[0])
    doc.tag_morph(_morph_tagger())
    feats = next((t.feats for t in doc.tokens if t.text == word), None) or {}
    return _GENDERS.get(feats.get("Gender", ""))


KAZAKH_UNKNOWN_SHARE = 0.3  # Cyrillic text whose words the Russian dictionary mostly lacks is Kazakh
_LOWER_WORD = re.compile(r"(?<![\w-])[а-яё]{3,}(?![\w-])")


def reads_as_kazakh(text: str) -> bool:
    """Whether Cyrillic text without Kazakh-only letters is Kazakh all the same: too many of its lower-case words
    are unknown to the Russian dictionary ("Бұл" has ұ, but "Жаңағы"-less sentences such as "Олар ертең келеді")."""
    words = _LOWER_WORD.findall(text)
    if not words:
        return False
    morph = _models()[2]
    unknown = sum(1 for word in words if not morph.word_is_known(word))
    return unknown > KAZAKH_UNKNOWN_SHARE * len(words)


def russian_mentions(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, nominative name) of the persons named in text[start:end], offsets into `text`."""
    from natasha import Doc

    segmenter, ner, morph = _models()
    found: list[tuple[int, int, str]] = []
    for piece_start, piece_end in _paragraph_pieces(text, start, end):
        doc = Doc(text[piece_start:piece_end])
        doc.segment(segmenter)
        doc.tag_ner(ner)
        for span in doc.spans:
            if span.type != "PER":
                continue
            words = _name_words(morph, text, piece_start + span.start, piece_start + span.stop)
            if words:
                sentence = next((piece_start + x.start, piece_start + x.stop) for x in doc.sents if x.stop >= span.stop)
                name = normalise(morph, [text[s:e] for s, e in words], text[sentence[0] : sentence[1]])
                found.append((words[0][0], words[-1][1], name))
    return resolve_surnames(found)


def normalise(morph: Any, words: list[str], sentence: str = "") -> str:
    """The name in the nominative singular, keeping the gender and the case the words agree on (the gender read
    in the sentence when the words leave it open)."""
    parses = [_name_parses(morph, word) for word in words]
    features = [{(p.tag.gender, p.tag.case) for p in ps} for ps in parses]
    shared = {  # a word without gender (an indeclinable surname) agrees with either
        (gender, case)
        for gender, case in set().union(*features)
        if all((gender, case) in f or (None, case) in f for f in features)
    }
    if len({gender for gender, _ in shared} - {None}) > 1 and sentence:
        gender = _gender_in_context(sentence, words[0])
        shared = {f for f in shared if f[0] == gender} or shared
    pick = _best_feature(shared) or _best_feature({(p.tag.gender, p.tag.case) for p in parses[-1]})
    out = []
    for word, options in zip(words, parses):
        chosen = next((p for p in options if (p.tag.gender, p.tag.case) == pick), None) or next(
            (p for p in options if pick and p.tag.case == pick[1]), options[0] if options else None
        )
        nominative = chosen.inflect({"nomn", "sing"}) if chosen is not None else None
        out.append(_recase(nominative.word, word) if nominative is not None else word)
    return " ".join(out)


def _best_feature(features: set[tuple[str | None, str | None]]) -> tuple[str | None, str | None] | None:
    return min(
        features,
        key=lambda f: (_PREFERRED_CASES.index(f[1]) if f[1] in _PREFERRED_CASES else 9, f[0] != "masc"),
        default=None,
    )


def _name_parses(morph: Any, word: str) -> list[Any]:
    parses = [p for p in morph.parse(word) if "sing" in p.tag or "Sgtm" in p.tag or p.tag.number is None]
    named = [p for p in parses if NAME_TAGS & p.tag.grammemes]
    return named or [p for p in parses if {"NOUN", "ADJF"} & p.tag.grammemes] or parses


def _is_name_word(morph: Any, word: str) -> bool:
    """A capitalised word that can be a personal name or is unknown to the dictionary (most surnames)."""
    if not _NAME_WORD.match(word):
        return False
    parses = morph.parse(word)
    return any(NAME_TAGS & p.tag.grammemes for p in parses) or not any(p.is_known for p in parses)


def _name_words(morph: Any, text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span's words without leading or trailing words that cannot belong to a name; [] if none is left."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text[start:end])]
    while words and not _is_name_word(morph, text[words[0][0] : words[0][1]]):
        words.pop(0)
    while words and not _is_name_word(morph, text[words[-1][0] : words[-1][1]]):
        words.pop()
    if not words or len(words) > 3 or not all(_NAME_WORD.match(text[s:e]) for s, e in words):
        return []
    return words


def resolve_surnames(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A one-word mention takes the full name with its surname nearest before it (else after it)."""
    full = [(s, name) for s, _, name in found if " " in name]
    resolved = []
    for start, end, name in found:
        if " " not in name:
            key = masculine_key(surname_key(name))
            same = [(s, n) for s, n in full if masculine_key(surname_key(n)) == key]
            before = [x for x in same if x[0] < start]
            pick = max(before) if before else min(same) if same else None
            name = pick[1] if pick else name
        resolved.append((start, end, name))
    return resolved


def _paragraph_pieces(text: str, start: int, end: int, max_chars: int = PIECE_CHARS) -> Iterator[tuple[int, int]]:
    for s, e in text_pieces(text[start:end], max_chars):
        yield start + s, start + e


def _recase(word: str, like: str) -> str:
    """`word` written with the capitalisation of `like` (each hyphenated part capitalised)."""
    return "-".join(part.capitalize() for part in word.split("-")) if like[:1].isupper() else word

"""Person mentions in Russian text: natasha's NER proposes names, pymorphy3 puts them in the nominative.

"Виктора Васильева" and "Васильев" become mentions of Виктор Васильев; a surname alone takes the full name used
earlier (else later) in the same text. natasha's spans are kept as it gives them (initials, foreign names), and
corrected only where they go wrong: a title before the name ("Адвокат", "Канцлер") is trimmed, a span is cut at a
bracket or a line break, a word alone that the dictionary knows only as a common word ("Если", "Опустили") or a
surname in the plural ("Пугачевых") is no person, nor a name after "семья" or "премия". Other mentions of a
surname the text gives as a person's, and the person something is named after ("имени Хруничева"), are added.
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
_NAME_TOKEN = re.compile(r"(?<![\w.-])[А-ЯЁ][а-яё]{2,}(?:-[А-ЯЁ][а-яё]+)?(?![\w-])")
_INITIAL = re.compile(r"[А-ЯЁA-Z]\.")
_INITIALS_PREFIX = re.compile(r"(?:[А-ЯЁA-Z]\.\s?){1,2}")
_TOKEN = re.compile(r"[А-ЯЁA-Z]\.|[^\W\d_]+(?:-[^\W\d_]+)*")
# "имени Хруничева", "им. Б.А. Покровского": the person something is named after.
_NAMED_AFTER = re.compile(
    r"\b(?:имени|им\.)\s?(?P<name>(?:[А-ЯЁ]\.\s?){0,2}[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?:\s[А-ЯЁ][а-яё]+)?)"
)
# Words right before a surname that make it a family's or a prize's name, not a person's.
_FAMILY_BEFORE = re.compile(
    r"(?:\b(?:семь[яиеюё]й?|семейств[оаеу]м?|династи[яиюей]й?|клан[аеу]?|преми[яиюей]й?|братья|братьев|сестры|"
    r"супруги|супругов)\s+)$",
    re.IGNORECASE,
)


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
            sentence = next((piece_start + x.start, piece_start + x.stop) for x in doc.sents if x.stop >= span.stop)
            for s, e in _name_spans(morph, text, piece_start + span.start, piece_start + span.stop):
                found.append((s, e, _nominative_name(morph, text[s:e], text[sentence[0] : sentence[1]])))
    found.extend(_repeated_names(morph, text, start, end, found))
    return resolve_surnames(sorted(found))


def _name_spans(morph: Any, text: str, start: int, end: int) -> list[tuple[int, int]]:
    """natasha's span corrected: cut at a bracket or a line break, titles before the name trimmed (initials
    kept: "В.Путин", "Н. Н. Вертинской"); nothing for a family or a prize ("семья Аньелли", "премия Стругацких")."""
    cut = re.search(r"[(\n«»\"]", text[start:end])
    end = start + cut.start() if cut else end
    end = start + len(re.sub(r"-(?:то|ка|де|таки)$", "", text[start:end].rstrip()))
    words = [(m.start() + start, m.end() + start) for m in _TOKEN.finditer(text[start:end])]
    while len(words) > 1 and _is_title(morph, _w(text, words[0])):
        words.pop(0)
    while words and not _w(text, words[-1])[:1].isupper():
        words.pop()
    if not words or _FAMILY_BEFORE.search(text[max(0, words[0][0] - 30) : words[0][0]]):
        return []
    names = [w for w in words if not _is_initial(_w(text, w))]
    if not names or len(names) > 4 or not all(_NAME_WORD.match(_w(text, w)) for w in names):
        return []
    if len(words) == 1 and _is_not_a_name_alone(morph, _w(text, words[0])):
        return []
    return [(words[0][0], words[-1][1])]


def _w(text: str, span: tuple[int, int]) -> str:
    return text[span[0] : span[1]]


def _is_initial(word: str) -> bool:
    return bool(_INITIAL.fullmatch(word))


def _is_not_a_name_alone(morph: Any, word: str) -> bool:
    return _is_family(morph, word) or _is_common_word(morph, word) or _is_title(morph, word)


def _is_title(morph: Any, word: str) -> bool:
    """A word naming a role before a name ("Брат", "Канцлер", "Остроумец-куплетист"): a noun for a living being
    that is never a name, or a word that is not capitalised."""
    if not word[:1].isupper():
        return True
    parses = morph.parse(word)
    return all({"NOUN", "anim"} <= p.tag.grammemes and not NAME_TAGS & p.tag.grammemes for p in parses)


def _is_common_word(morph: Any, word: str) -> bool:
    """A word alone that the dictionary knows only as a thing, an action or a pronoun ("Опустили", "Кто")."""
    parses = morph.parse(word)
    return all(p.is_known and not NAME_TAGS & p.tag.grammemes and "anim" not in p.tag for p in parses)


def _is_family(morph: Any, word: str) -> bool:
    """A surname in the plural alone names a family ("Пугачевых", "Вандербильтов")."""
    parses = [p for p in morph.parse(word) if "Surn" in p.tag.grammemes]
    return bool(parses) and all("plur" in p.tag for p in parses)


def _nominative_name(morph: Any, surface: str, sentence: str) -> str:
    initials = _INITIALS_PREFIX.match(surface)
    words = surface[initials.end() if initials else 0 :].split()
    name = normalise(morph, words, sentence) if words else ""
    head = re.sub(r"\s+", "", initials.group()) if initials else ""
    return f"{head} {name}".strip() if head else name


def _repeated_names(
    morph: Any, text: str, start: int, end: int, found: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Other mentions of a surname the text already gives as a person's ("Вертинского", later "Вертинскому",
    "Карасин", later "Карасиным"), where natasha's tagger let them pass; and the person a place is named after
    ("Центр имени Хруничева", "им. Б.А. Покровского")."""
    stems: dict[str, str] = {}
    for _, _, name in found:
        last = name.split()[-1]
        if len(last) > 3 and not _is_initial(last):
            stems[_surname_stem(last)] = name
    covered = [(s, e) for s, e, _ in found]
    extra = []
    for match in _NAME_TOKEN.finditer(text, start, end):
        s, e = match.span()
        if any(cs <= s < ce for cs, ce in covered) or _FAMILY_BEFORE.search(text[max(0, s - 30) : s]):
            continue
        known = next((stems[k] for k in _stem_candidates(match.group()) if k in stems), None)
        if known:
            extra.append((s, e, known))
    for match in _NAMED_AFTER.finditer(text, start, end):
        s, e = match.span("name")
        if not any(cs < e and s < ce for cs, ce in covered + [(x, y) for x, y, _ in extra]):
            extra.append((s, e, _nominative_name(morph, match.group("name"), "")))
    return extra


_SURNAME_ENDINGS = (
    "",
    "а",
    "у",
    "ом",
    "ым",
    "е",
    "ой",
    "ую",
    "ы",
    "ых",
    "ыми",
    "ого",
    "ому",
    "им",
    "ий",
    "ая",
    "ей",
    "ем",
)


def _surname_stem(surname: str) -> str:
    lower = surname.lower()
    for ending in ("ий", "ой", "ый", "ая", "а", "ь", "й"):
        if lower.endswith(ending) and len(lower) - len(ending) >= 3:
            return lower[: -len(ending)]
    return lower


def _stem_candidates(word: str) -> list[str]:
    lower = word.lower()
    return [lower[: len(lower) - len(e)] if e else lower for e in _SURNAME_ENDINGS if lower.endswith(e)]


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

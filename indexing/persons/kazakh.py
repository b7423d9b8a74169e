"""Person mentions in Kazakh text: a tagger trained on KazNERD proposes names, rules correct and complete them.

Kazakh declines only the last word of a name, with endings that follow vowel harmony ("Байтұрсыновтың",
"Жангелдинге", "Назарбаевпен"); the span keeps the ending, the name takes it off ("Нұрсұлтан Назарбаевтың" →
Нұрсұлтан Назарбаев, "Абайдың" → Абай), with the forms learnt from the training text first. Rules
  - add initials before a name ("Е.Б.Серікбаевтың") and names of a known shape the tagger missed: a surname
    (-ов/-ев/-ин/-ова/-енко/-ский …) or patronymic (-ұлы/-қызы) after a given name the training text knows;
  - cut a tagged span into its names ("Назарбаевқа | Кофи Аннан", "Шоқан Уәлиханов | Құлжа") and leave out
    the words before them ("Ал", "Прокурор");
  - never take a place or a thing ("Сәтбаев қаласы", "Жоңғар Алатауы", "Псков") or Latin-script words.
A surname of a full name written alone elsewhere in the text is a mention of that person; a surname alone found
only by shape counts when it occurs at least twice.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from indexing.persons.kazakh_tagger import lexicon, person_spans
from indexing.persons.russian import resolve_surnames

MIN_LONE_SURNAME = 2  # times a surname written alone must occur to count as a person
TRUSTED_GIVEN_SHARE = 0.5  # a word named a person at least this often in the training text is a given name
_UPPER, _LOWER = "А-ЯЁӘҒҚҢӨҰҮҺІ", "а-яёәғқңөұүһі"
_WORD = re.compile(rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?")
_INITIALS = re.compile(rf"(?:[{_UPPER}]\.\s?){{1,2}}$")
_INITIALS_PREFIX = re.compile(rf"(?:[{_UPPER}]\.\s?){{1,2}}")
_LATIN = re.compile(r"[A-Za-z]")
_LONG_ENDINGS = (
    "ның",
    "нің",
    "тың",
    "тің",
    "дың",
    "дің",
    "дан",
    "ден",
    "тан",
    "тен",
    "нан",
    "нен",
    "мен",
    "бен",
    "пен",
)
_SURNAME = re.compile(rf"[{_LOWER}]{{2,}}(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|енко|ский|цкий|ская|цкая)$")
_PATRONYMIC = re.compile(rf"[{_LOWER}]{{2,}}(?:ұлы|улы|қызы|кызы|ович|евич|овна|евна)$")
# Case (and plural-less possessive) endings a name's last word takes, longest first.
CASE_ENDINGS = tuple(
    sorted(
        "ның нің тың тің дың дің ға ге қа ке на не ны ні ты ті ды ді да де та те нда нде дан ден тан тен нан нен "
        "мен бен пен ша ше дай дей тай тей".split(),
        key=len,
        reverse=True,
    )
)
# Nouns after a surname-shaped word that make it the name of a place or a thing.
_THING_AFTER = re.compile(
    r"^(?:қала|аудан|облыс|ауыл|кент|көше|даңғыл|өзен|көл|мұздық|шың|тау|кен|кеніш|зауыт|комбинат|мектеп|"
    r"университет|институт|стадион|әуежай|станция|алаң|экспедиция|ілім|сыйлық|қор)"
)
# A place's name ending in its own kind with a possessive ending ("Жоңғар Алатауы", "Ертіс өзені").
_PLACE_ENDS = ("тауы", "өзені", "көлі", "қаласы", "облысы", "ауданы", "ауылы", "даласы", "шыңы", "мұздығы", "асуы")
# Places and things with a surname's shape, which no rule tells apart.
PLACES = frozenset(
    "псков ростов саратов тамбов харьков львов киев кишинев берлин пекин турин мессина медина каспий".split()
)
# Capitalised words that are never given names (titles, sentence openers).
NOT_GIVEN = frozenset(
    "академик президент профессор премьер-министр министр судья сот прокурор адвокат журналист белсенді "
    "бұл осы оның олар сондай-ақ мысалы бірақ алайда сонымен кейін дегенмен мырза ханым ал және мен биыл жалпы".split()
)
# Endings that show a word before a name is declined, so not a given name (short ones such as -на, -ды are
# also the last letters of given names: Жанна, Айды).
_DECLINED = tuple(e for e in CASE_ENDINGS if len(e) >= 3 or e in ("ға", "ге", "қа", "ке", "да", "де", "та", "те"))


def nominative(word: str) -> str | None:
    """The word in the nominative if it is a surname or a patronymic (in any case), else None."""
    if _SURNAME.search(word) or _PATRONYMIC.search(word):
        return word
    for ending in CASE_ENDINGS:
        base = word[: -len(ending)]
        if word.endswith(ending) and (_SURNAME.search(base) or _PATRONYMIC.search(base)):
            return base
    return None


def kazakh_mentions(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, nominative name) of the persons named in text[start:end], offsets into `text`.

    The trained tagger (`indexing.persons.kazakh_tagger`) proposes the names; the rules add initials before them
    and the names it missed that have a surname's shape with given names or initials, and drop places and things."""
    ruled = _rule_mentions(text, start, end)
    initialled = [(s, e) for s, e, _ in ruled if _INITIALS_PREFIX.match(text[s:e])]
    found: list[tuple[int, int]] = list(initialled)
    for s, e in (piece for span in person_spans(text, start, end) for piece in _split_names(text, *span)):
        if _LATIN.search(text[s:e]) or _is_place_or_thing(text, s, e, end):
            continue
        if not any(s < ie and is_ < e for is_, ie in initialled):
            found.append((s, e))
    repeated = Counter(name for _, _, name in ruled)
    for s, e, name in ruled:
        trusted = _name_share(name.split()[0]) >= TRUSTED_GIVEN_SHARE
        trusted = trusted if " " in name else repeated[name] >= MIN_LONE_SURNAME
        if trusted and not any(s < fe and fs < e for fs, fe in found):
            found.append((s, e))
    found += _repeated_surnames(text, start, end, found)
    found.sort()
    return resolve_surnames([(s, e, name_of(text[s:e])) for s, e in found])


def _repeated_surnames(text: str, start: int, end: int, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A surname of a full name found in the text, written alone elsewhere in any case ("Бұл Рысқұлов туралы")."""
    surnames = {_nominative_word(text[s:e].split()[-1]) for s, e in found if " " in text[s:e].strip()}
    surnames = {name for name in surnames if nominative(name) is not None}
    return [
        word.span()
        for word in _WORD.finditer(text, start, end)
        if _nominative_word(word.group()) in surnames and not any(s <= word.start() < e for s, e in found)
    ]


def _name_share(word: str) -> float:
    return float(lexicon()["share"].get(word.lower(), 0.0))


def _split_names(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A tagged span cut into the names it holds: words before the first possible given name are left out
    ("Ал", "Кітаптағы"), and a name ends at a declined surname ("Назарбаевқа | Кофи Аннан") or at a surname
    after given names ("Шоқан Уәлиханов | Құлжа"); a piece after the first is kept when it holds a surname or a
    known given name."""
    words = list(_WORD.finditer(text, start, end))
    while len(words) > 1 and _not_a_name_start(words[0].group()):
        words.pop(0)
    if not words:
        return []
    pieces: list[tuple[int, int]] = []
    piece_start = words[0].start()
    for index, (word, following) in enumerate(pairwise(words)):
        base = nominative(word.group())
        declined = base is not None and base != word.group()
        complete = index > 0 and base is not None and nominative(following.group()) is None
        if declined or (complete and _name_share(following.group()) < TRUSTED_GIVEN_SHARE):
            pieces.append((piece_start, word.end()))
            piece_start = following.start()
    pieces.append((piece_start, end))
    return pieces[:1] + [p for p in pieces[1:] if _looks_like_a_name(text[p[0] : p[1]])]


def _looks_like_a_name(surface: str) -> bool:
    return any(nominative(w) is not None or _name_share(w) >= TRUSTED_GIVEN_SHARE for w in surface.split())


def _not_a_name_start(word: str) -> bool:
    lower = word.lower()
    return lower in NOT_GIVEN or (
        nominative(word) is None and lower.endswith(_LONG_ENDINGS) and _name_share(word) < 0.1
    )


def name_of(surface: str) -> str:
    """A name in the nominative: the case ending taken off its last word, initials joined ("Е.Б. Серікбаев")."""
    initials = _INITIALS_PREFIX.match(surface)
    head = "".join(initials.group().split()) if initials else ""
    words = surface[initials.end() if initials else 0 :].split()
    if not words:
        return surface
    words[-1] = _nominative_word(words[-1])
    return " ".join(([head] if head else []) + words)


def _nominative_word(word: str) -> str:
    lower = word.lower()
    base = lexicon()["nominative"].get(lower) or nominative(word)
    if base is None and lower not in lexicon()["share"]:
        ending = next((e for e in _LONG_ENDINGS if lower.endswith(e) and len(lower) - len(e) >= 3), "")
        base = word[: len(word) - len(ending)] if ending else None
    return word[: len(base)] if base else word


def _is_place_or_thing(text: str, start: int, end: int, floor_end: int) -> bool:
    last = text[start:end].split()[-1]
    base = nominative(last) or last
    place = base.lower() in PLACES or base.lower().endswith(_PLACE_ENDS)
    return place or _thing_follows(text, end, floor_end)


def _rule_mentions(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Names by shape alone: a surname or patronymic with the given names or initials before it."""
    found: list[tuple[int, int, str]] = []
    words = list(_WORD.finditer(text, start, end))
    for index, match in enumerate(words):
        base = nominative(match.group())
        if base is None or base.lower() in PLACES or _thing_follows(text, match.end(), end):
            continue
        first, given = _given_names(text, words, index)
        initials = _initials_before(text, words[first].start() if given else match.start(), start)
        name_start = words[first].start() if given else match.start()
        if initials:
            name_start -= len(initials)
        parts = [w.group() for w in given] + [base]
        name = " ".join(parts)
        if initials:
            name = f"{''.join(initials.split())} {name}"
        while found and found[-1][1] > name_start:  # "Әлия Нұрмұхамбетқызы" grown into the full name
            found.pop()
        found.append((name_start, match.end(), name))
    return found


def _given_names(text: str, words: list[re.Match[str]], index: int) -> tuple[int, list[re.Match[str]]]:
    """The given names written just before words[index] (at most two, separated by one space)."""
    given: list[re.Match[str]] = []
    first = index
    while first > 0 and len(given) < 2:
        before = words[first - 1]
        gap = text[before.end() : words[first].start()]
        word = before.group()
        if gap not in (" ", "\u00a0") or word.lower() in NOT_GIVEN or word.lower() in PLACES:
            break
        if nominative(word) is None and word.endswith(_DECLINED):
            break  # a declined word ("Әулиеатада") is not a given name
        given.insert(0, before)
        first -= 1
    return first, given


def _initials_before(text: str, position: int, floor: int) -> str:
    match = _INITIALS.search(text[max(floor, position - 6) : position])
    return match.group() if match else ""


def _thing_follows(text: str, position: int, end: int) -> bool:
    following = re.match(rf"\s+([{_LOWER}]+)", text[position : min(end, position + 40)])
    return bool(following and _THING_AFTER.match(following.group(1)))

"""What a translation must keep: numbers, dates and names, compared across languages and scripts.

A translated quote cannot be compared word by word with its source, but some of its words do not depend on the
language: digits ("18", "2007"), months ("October" = "октября" = "қазан"), and names, which meet across scripts by
their Latin folding (indexing.persons.names: "Атабека" and "Atabek" share the key prefix "atabek"). A translation
that changes one of them says something else, and the check reports it as altered with the changed facts as its
diff.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from indexing.persons.names import token_key

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CAPITALISED = re.compile(r"\b[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w'’-]{2,}", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]\s+|[\n\"«“(]\s*)$")

# Month names by their first letters (stems cover the case forms: "октября", "October", "қазанда").
_MONTHS: dict[str, int] = {
    **{name: i + 1 for i, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    **{
        name: i + 1
        for i, name in enumerate("январ феврал март апрел мая июн июл август сентябр октябр ноябр декабр".split())
    },
    **{
        name: i + 1
        for i, name in enumerate(
            "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан".split()
        )
    },
}
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")\w*", re.I)
MIN_NAME_KEY = 4  # letters a name's key must have to count as a name
NAME_ENDING = 5  # letters a case ending may add to a name ("Атабека", "Қазақстандағы")
NAME_SIMILARITY = 80  # rapidfuzz ratio of two spellings' keys (cut to the shorter) for one name: Kazakhstan/Қазақстан


@dataclass(frozen=True)
class Fact:
    kind: str  # number | month | name
    key: str  # what is compared
    text: str  # as written
    start: int
    end: int


def facts(text: str) -> list[Fact]:
    """The numbers, months and names a text states, in order."""
    found = [Fact("number", m.group().replace(",", "."), m.group(), m.start(), m.end()) for m in _NUMBER.finditer(text)]
    months = [m for m in _MONTH_WORD.finditer(text) if not _is_name_like_month(m.group())]
    found += [Fact("month", str(_MONTHS[m.group(1).lower()]), m.group(), m.start(), m.end()) for m in months]
    month_spans = {(m.start(), m.end()) for m in months}
    for m in _CAPITALISED.finditer(text):
        if (m.start(), m.end()) in month_spans or _SENTENCE_START.search(text[: m.start()]):
            continue  # a sentence's first word is capitalised whatever it is
        key = token_key(m.group())
        if len(key) >= MIN_NAME_KEY:
            found.append(Fact("name", key, m.group(), m.start(), m.end()))
    return sorted(found, key=lambda fact: fact.start)


def _is_name_like_month(word: str) -> bool:
    """ "Mayor", "Marshal", "Augusta" start like months but are not (months are written in full or as "Oct")."""
    lowered = word.lower()
    return lowered.startswith(("mayor", "march", "marsh", "augusti", "mart")) and lowered not in (
        "march",
        "марта",
        "март",
    )


@dataclass(frozen=True)
class FactChange:
    kind: str
    quote: str  # as the quote writes it ("" when the quote leaves it out)
    original: str  # as the source writes it ("" when the quote adds it)


@dataclass(frozen=True)
class FactComparison:
    shared: int  # facts the quote and the source both state
    changes: list[FactChange]  # facts that differ


def compare_facts(quote: str, original: str) -> FactComparison:
    """The numbers, months and names a translated quote shares with its source, and those that differ."""
    changes: list[FactChange] = []
    shared = 0
    for kind in ("number", "month", "name"):
        ours = [f for f in facts(quote) if f.kind == kind]
        theirs = [f for f in facts(original) if f.kind == kind]
        unmatched_theirs = list(theirs)
        extra: list[Fact] = []
        for fact in ours:
            match = next((t for t in unmatched_theirs if _same(kind, fact.key, t.key)), None)
            if match is None:
                extra.append(fact)
            else:
                unmatched_theirs.remove(match)
                shared += 1
        if kind == "name":
            # A name the source does not state at all is a change only when it replaces one the quote dropped.
            pairs = min(len(extra), len(unmatched_theirs))
            extra, unmatched_theirs = extra[:pairs], unmatched_theirs[:pairs]
        changes += [
            FactChange(kind, ours_.text, theirs_.text) for ours_, theirs_ in zip(extra, unmatched_theirs, strict=False)
        ]
        changes += [FactChange(kind, f.text, "") for f in extra[len(unmatched_theirs) :]]
        changes += [FactChange(kind, "", f.text) for f in unmatched_theirs[len(extra) :]]
    return FactComparison(shared, changes)


def _same(kind: str, ours: str, theirs: str) -> bool:
    if kind != "name":
        return ours == theirs
    shorter, longer = sorted((ours, theirs), key=len)
    return len(longer) - len(shorter) <= NAME_ENDING and fuzz.ratio(shorter, longer[: len(shorter)]) >= NAME_SIMILARITY


def describe(changes: list[FactChange]) -> str:
    """ "a different number", "a different number and name", … for a verdict's explanation."""
    kinds = list(Counter(change.kind for change in changes))
    words = {"number": "number", "month": "date", "name": "name"}
    named = [words[kind] for kind in kinds]
    return "a different " + (" and ".join(named) if len(named) <= 2 else ", ".join(named[:-1]) + " and " + named[-1])

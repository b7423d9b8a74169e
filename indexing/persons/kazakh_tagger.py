"""A sequence tagger for person names in Kazakh text: a CRF trained on KazNERD (CC BY 4.0).

The model (`data/kazakh_persons.crfsuite`) and its name lexicon (`data/kazakh_names.json`: how often each word
was seen as part of a person's name and in what form) are made by `scripts/train_kazakh_names.py`. Each token is
described by its letters, its endings (Kazakh case endings stay on the name: "Назарбаевтың"), its shape and its
neighbours; the tagger labels person tokens B-PER / I-PER and other entities B-ENT / I-ENT.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA / "kazakh_persons.crfsuite"
LEXICON_PATH = DATA / "kazakh_names.json"

TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|\S")
KAZAKH_LETTERS = frozenset("әғқңөұүһі")
# Case and possessive endings the last word of a name takes, longest first.
ENDINGS = tuple(
    sorted(
        "ның нің тың тің дың дің ға ге қа ке на не ны ні ты ті ды ді да де та те нда нде дан ден тан тен нан нен "
        "мен бен пен ша ше дай дей тай тей ның ы і сы сі ныңда ына іне нан ға".split(),
        key=len,
        reverse=True,
    )
)


def tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the words and punctuation marks of text[start:end], as KazNERD splits them."""
    return [m.span() for m in TOKEN.finditer(text, start, len(text) if end is None else end)]


def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word.isupper() and len(word) > 1:
        return "U"
    if word[:1].isupper():
        return "T"
    if word[:1].islower():
        return "l"
    return "p"


def _ending(word: str) -> str:
    lower = word.lower()
    return next((e for e in ENDINGS if lower.endswith(e) and len(lower) - len(e) >= 3), "")


def word_features(word: str, lexicon: dict[str, float]) -> dict[str, Any]:
    """The features of one word by itself (prefixed by its position when used for a neighbour)."""
    lower = word.lower()
    ending = _ending(word)
    stem = lower[: len(lower) - len(ending)] if ending else lower
    return {
        "w": lower,
        "s2": lower[-2:],
        "s3": lower[-3:],
        "s4": lower[-4:],
        "p3": lower[:3],
        "shape": _shape(word),
        "end": ending,
        "stem": stem,
        "kk": any(ch in KAZAKH_LETTERS for ch in lower),
        "lex": _lexicon_bucket(lexicon.get(lower)),
        "lexstem": _lexicon_bucket(lexicon.get(stem)) if ending else "",
    }


def _lexicon_bucket(share: float | None) -> str:
    """How often a word is part of a name where it occurs, in four steps ('' when the lexicon lacks it)."""
    if share is None:
        return ""
    return "hi" if share >= 0.8 else "mid" if share >= 0.4 else "lo" if share >= 0.1 else "no"


def sentence_features(words: list[str], lexicon: dict[str, float]) -> list[dict[str, Any]]:
    """Features of each word with its two neighbours on each side, for crfsuite."""
    own = [word_features(w, lexicon) for w in words]
    out = []
    for i, features in enumerate(own):
        item: dict[str, Any] = {"bias": 1.0, **features}
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(own):
                other = own[j]
                for key in ("w", "shape", "end", "lex", "s3"):
                    item[f"{offset}:{key}"] = other[key]
            else:
                item[f"{offset}:edge"] = 1.0
        if i > 0:
            item["-1:w|shape"] = f"{own[i - 1]['w']}|{features['shape']}"
        out.append(item)
    return out


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """The name lexicon shipped with the model: {"share": {word: share as a name}, "nominative": {form: base}}."""
    return dict(json.loads(LEXICON_PATH.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _tagger() -> Any:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


def person_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the person names the tagger finds in text[start:end], read a line at a time."""
    shares = lexicon()["share"]
    found: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        spans = tokens(text, start + line.start(), start + line.end())
        if not spans:
            continue
        labels = _tagger().tag(sentence_features([text[s:e] for s, e in spans], shares))
        open_start: int | None = None
        last_end = 0
        for (s, e), label in zip(spans, labels):
            if open_start is not None and label != "I-PER":
                found.append((open_start, last_end))
                open_start = None
            if label == "B-PER" or (label == "I-PER" and open_start is None):
                open_start = s
            last_end = e
        if open_start is not None:
            found.append((open_start, last_end))
    return found

"""Name normalisation: script detection, homoglyph repair, transliteration and folding keys.

Two spellings of one name should meet in one key whatever the script or romanisation:
``name_key("Жәкішев") == name_key("Dzhakishev") == name_key("Zhakishev")``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from language.letters import fold_homoglyphs

Script = Literal["latin", "cyrillic", "mixed"]

# Cyrillic letters (Russian and Kazakh) to Latin, lower case; upper case is derived.
_CYR_TO_LAT: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Kazakh
    "ә": "a",
    "ғ": "gh",
    "қ": "q",
    "ң": "ng",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
    # Ukrainian / Belarusian extras
    "є": "ye",
    "ї": "yi",
    "ґ": "g",
    "ў": "u",
}

# Latin letters with diacritics whose plain-ASCII folding is not just "drop the accent".
_LATIN_SPECIAL: dict[str, str] = {
    "ş": "sh",
    "ç": "ch",
    "ñ": "ng",
    "ı": "i",
    "ə": "a",
    "ä": "a",
    "ö": "o",
    "ü": "u",
    "ū": "u",
    "ğ": "g",
    "ß": "ss",
    "ø": "o",
    "æ": "ae",
    "đ": "d",
    "ł": "l",
}

_TOKEN_SPLIT_RE = re.compile(r"[\s\-‐‑–—]+")

# Ordered rewrite rules applied to an ASCII, lower-case token.
_FOLD_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"shch|sch", "sh"),
        (r"dzh|dj", "zh"),
        (r"j", "zh"),
        (r"kh", "h"),
        (r"gh", "g"),
        (r"ck", "k"),
        (r"ph", "f"),
        (r"c(?!h)", "k"),
        (r"q", "k"),
        (r"x", "ks"),
        (r"w", "v"),
        (r"y", "i"),
        (r"(.)\1+", r"\1"),  # doubled letters: Kassym / Касым
        (r"^ie", "e"),  # Yerzhan / Ерлан: word-initial ye- -> e-
        (r"(?<=[aeiou])ie", "e"),  # Bokayev / Бокаев: -ye- after a vowel
        (r"(?<=[aeiou])i(?=[aeiou])", ""),  # -aiy- / -aya- glide: Qaiyrbek / Kairbek
        (r"ie$", "i"),  # Jardemalie / Жардемали
    )
)

_FEMININE_RE = re.compile(r"(?<=[a-z]{2})(ov|ev|in)a$")
_PATRONYMIC_RE = re.compile(r"(ovich|evich|ich|ovna|evna|ichna|uli|kizi)$")


def script_of(name: str) -> Script:
    """Return the script of a name's letters: ``latin``, ``cyrillic`` or ``mixed``.

    A name with no Cyrillic letters (including one with no letters at all) counts as Latin.
    """
    has_lat = has_cyr = False
    for ch in name:
        if not ch.isalpha():
            continue
        if "CYRILLIC" in unicodedata.name(ch, ""):
            has_cyr = True
        else:
            has_lat = True
    if has_cyr and has_lat:
        return "mixed"
    return "cyrillic" if has_cyr else "latin"


def to_latin(s: str) -> str:
    """Transliterate Cyrillic (Russian and Kazakh letters) to Latin, keeping case; other text is kept."""
    out: list[str] = []
    for i, ch in enumerate(s):
        low = ch.lower()
        lat = _CYR_TO_LAT.get(low)
        if low == "й" and s[i + 1 : i + 2].lower() == "ы":
            lat = "i"  # Қайырбек -> Qaiyrbek, not Qayyrbek
        if lat is None:
            out.append(ch)
        elif ch != low and lat:
            out.append(lat[0].upper() + lat[1:])
        else:
            out.append(lat)
    return "".join(out)


def _ascii_fold(s: str) -> str:
    s = "".join(_LATIN_SPECIAL.get(ch, ch) for ch in s)
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def token_key(token: str) -> str:
    """Fold one name token (no spaces) to its key; may be empty for punctuation-only tokens."""
    t = unicodedata.normalize("NFKC", token)
    t = fold_homoglyphs(t).casefold()
    t = _ascii_fold(to_latin(t))
    t = re.sub(r"[^a-z]", "", t)
    for pattern, repl in _FOLD_RULES:
        t = pattern.sub(repl, t)
    return t


def name_tokens(name: str) -> list[str]:
    """Split a name into its surface tokens (on spaces and hyphens), dropping punctuation-only ones."""
    name = unicodedata.normalize("NFKC", name)
    return [t for t in _TOKEN_SPLIT_RE.split(name.replace("’", "'")) if token_key(t)]


def name_tokens_key(name: str) -> tuple[str, ...]:
    """Per-token keys of a name, in order (``("mukhtar", "abliazov")``)."""
    return tuple(token_key(t) for t in name_tokens(name))


def name_key(name: str) -> str:
    """The folding key of a whole name: case, diacritics, homoglyphs, script and romanisation folded."""
    return " ".join(name_tokens_key(name))


def masculine_key(token_key_: str) -> str:
    """Fold the feminine surname ending (-ova/-eva/-ina) of a token key to the masculine one."""
    return _FEMININE_RE.sub(r"\1", token_key_)


def is_patronymic_key(token_key_: str) -> bool:
    """True for a token key that looks like a patronymic (-ovich, -ovna, -uly, -kyzy, ...)."""
    return len(token_key_) > 4 and bool(_PATRONYMIC_RE.search(token_key_))

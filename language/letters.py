"""Letters folded so that spellings meet: NFKC, lower case, ё → е, Kazakh letter variants (ӛ/ө, ҥ/ң, Latin ә/і in
Cyrillic words), Latin homoglyphs inside Cyrillic words (and the reverse), words broken at a line end joined."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LINE_END_HYPHEN = re.compile(r"([^\W\d_])[-\u00ad]\n[ \t]*([^\W\d_A-ZА-ЯЁ])")
_LETTER_VARIANTS = str.maketrans({"ё": "е", "ӛ": "ө", "ҥ": "ң", "ҳ": "һ", "ə": "ә", "ӏ": "і", "\u0131": "i"})

# Visually identical letters, Cyrillic -> Latin (one character each way, so folding keeps offsets).
_HOMOGLYPHS_CYR_LAT = dict(zip("АВЕКМНОРСТХУҮІЈЅаеорсухіјѕһԁԛԝӏ", "ABEKMHOPCTXYYIJSaeopcyxijshdqwl", strict=True))
_HOMOGLYPHS_LAT_CYR: dict[str, str] = {v: k for k, v in _HOMOGLYPHS_CYR_LAT.items()}
_HOMOGLYPHS_LAT_CYR.update({"Y": "У", "y": "у", "I": "І", "i": "і"})
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)


def _is_cyrillic(ch: str) -> bool:
    return "CYRILLIC" in unicodedata.name(ch, "")


def _fold_word(word: str) -> str:
    cyr = sum(1 for ch in word if _is_cyrillic(ch))
    lat = len(word) - cyr
    if not cyr or not lat:
        return word
    to_latin_ok = all(ch in _HOMOGLYPHS_CYR_LAT for ch in word if _is_cyrillic(ch))
    to_cyr_ok = all(ch in _HOMOGLYPHS_LAT_CYR for ch in word if not _is_cyrillic(ch))
    if to_latin_ok and (lat >= cyr or not to_cyr_ok):
        return "".join(_HOMOGLYPHS_CYR_LAT.get(ch, ch) for ch in word)
    if to_cyr_ok:
        return "".join(_HOMOGLYPHS_LAT_CYR.get(ch, ch) if not _is_cyrillic(ch) else ch for ch in word)
    return word


def fold_homoglyphs(s: str) -> str:
    """Rewrite mixed-script words into their dominant script ("Мukhtar" with a Cyrillic М -> "Mukhtar").

    Only look-alike letters are replaced, one character for one, so the result has the same length
    and every offset into it is an offset into ``s``.
    """
    return _LETTERS.sub(lambda m: _fold_word(m.group(0)), s)


@lru_cache(maxsize=200_000)
def normalise_letters(text: str) -> str:
    """NFKC, lower case, letter variants and homoglyphs folded (length may change: not for offsets)."""
    return fold_homoglyphs(unicodedata.normalize("NFKC", text)).lower().translate(_LETTER_VARIANTS)


def join_hyphenation(text: str) -> str:
    """A word broken at a line end ("repre-\nsenting", "кар-\nтинки") joined again (for embedding and the
    lexical index only: the stored text and every citation keep the original characters)."""
    return _LINE_END_HYPHEN.sub(r"\1\2", text)

"""Text analysis for lexical search: letters normalised, words stemmed by their language.

The same analysis runs when a passage is indexed (SQLite calls `index_terms` from the FTS triggers) and when a query
is parsed, so "гидраның" meets "гидра", "приговорили" meets "приговор" and "sentenced" meets "sentence".

- Latin words: English Snowball stemmer.
- Cyrillic words: Russian Snowball stemmer, or the Kazakh suffix stripper when the text is Kazakh (it has
  Kazakh-only letters) or the word is.
- Letters: NFKC, lower case, ё → е, Kazakh letter variants (ӛ/ө, ҥ/ң, Latin ә/і in Cyrillic words) and Latin
  homoglyphs inside Cyrillic words (and the reverse) folded, so OCR and keyboard variants meet.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache

import Stemmer

from indexing.kazakh_stemmer import stem_kazakh
from indexing.language import cyrillic_language
from indexing.persons.names import fold_homoglyphs
from indexing.text_pieces import blank_spans

ANALYZER_VERSION = "3"  # stored with the index: a change here rebuilds the lexical index of existing archives

_LINE_END_HYPHEN = re.compile(r"([^\W\d_])[-\u00ad]\n[ \t]*([^\W\d_A-ZА-ЯЁ])")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
KAZAKH_LETTERS = frozenset("әғқңөұүһі")
_LETTER_VARIANTS = str.maketrans({"ё": "е", "ӛ": "ө", "ҥ": "ң", "ҳ": "һ", "ə": "ә", "ӏ": "і", "\u0131": "i"})
_STEMMERS = {"en": Stemmer.Stemmer("english"), "ru": Stemmer.Stemmer("russian")}


@lru_cache(maxsize=200_000)
def normalise_letters(text: str) -> str:
    """NFKC, lower case, letter variants and homoglyphs folded (length may change: not for offsets)."""
    return fold_homoglyphs(unicodedata.normalize("NFKC", text)).lower().translate(_LETTER_VARIANTS)


def words(text: str) -> list[str]:
    """The normalised words of a text (each distinct word is normalised once: texts repeat their words)."""
    return [normalise_letters(word) for word in _WORD.findall(unicodedata.normalize("NFKC", text))]


@lru_cache(maxsize=200_000)
def stem(word: str, cyrillic_as: str = "ru") -> str:
    """The stem of one normalised word; Cyrillic words are stemmed as `cyrillic_as` unless they are Kazakh."""
    if _CYRILLIC.match(word):
        if cyrillic_as == "kk" or not KAZAKH_LETTERS.isdisjoint(word):
            return stem_kazakh(word)
        return _STEMMERS["ru"].stemWord(word)
    if _LATIN.match(word):
        return _STEMMERS["en"].stemWord(word)
    return word  # digits and other scripts as they are


def stems(text: str) -> list[str]:
    """The stems of a text's words, in order, each word stemmed by the text's language."""
    tokens = words(text)
    cyrillic_as = cyrillic_language(" ".join(tokens))
    return [stem(token, cyrillic_as) for token in tokens]


def index_terms(text: str | None, page_breaks: str | None = None) -> str:
    """What the lexical index stores for a passage: its stems (words broken at a line end joined), space separated.

    `page_breaks` (JSON [[start, end], ...] relative to the text) are left out: page furniture between the pages
    a passage runs across."""
    if page_breaks:
        text = blank_spans(text or "", [(int(start), int(end)) for start, end in json.loads(page_breaks)])
    return " ".join(stems(join_hyphenation(text or "")))


def join_hyphenation(text: str) -> str:
    """A word broken at a line end ("repre-\nsenting", "кар-\nтинки") joined again (for embedding and the
    lexical index only: the stored text and every citation keep the original characters)."""
    return _LINE_END_HYPHEN.sub(r"\1\2", text)

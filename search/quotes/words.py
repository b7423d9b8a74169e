"""Words with their character offsets, folded so that only differences of wording remain.

Folding removes what the issue calls cosmetic: case, punctuation and quote marks (they are not words), dashes and
white space (between words), OCR hyphenation ("detain-\\nees", soft hyphens), ё/е and Latin/Cyrillic homoglyphs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from indexing.persons.names import fold_homoglyphs

# A word may be broken across a line by a hyphen (OCR, PDF layout) or carry soft hyphens.
_WORD = re.compile(r"[\w\u00ad]+(?:[-\u2010\u2011\u00ad][ \t]*\r?\n[ \t]*[\w\u00ad]+)*", re.UNICODE)
_BREAK = re.compile(r"[-\u2010\u2011\u00ad][ \t]*\r?\n[ \t]*|\u00ad")


@dataclass(frozen=True)
class Word:
    key: str  # the folded form words are compared by
    start: int  # offsets into the text the word was read from
    end: int


def fold(word: str) -> str:
    """The comparable form of one word: no line-break hyphens, NFKC, homoglyphs folded, case folded, ё → е."""
    word = unicodedata.normalize("NFKC", _BREAK.sub("", word))
    return fold_homoglyphs(word).casefold().replace("ё", "е")


def words(text: str, start: int = 0, end: int | None = None) -> list[Word]:
    """The words of text[start:end], with offsets into `text`."""
    matches = _WORD.finditer(text, start, len(text) if end is None else end)
    return [Word(fold(m.group(0)), m.start(), m.end()) for m in matches]


def keys(items: list[Word]) -> list[str]:
    return [item.key for item in items]

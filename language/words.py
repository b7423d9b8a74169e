"""Words, stopwords and stems: the same rules run when a passage is indexed and when a query is read, so
"гидраның" meets "гидра", "приговорили" meets "приговор" and "sentenced" meets "sentence"."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from language.kazakh_stemmer import stem_kazakh
from language.letters import normalise_letters
from language.scripts import CYRILLIC, KAZAKH_LETTER, LATIN, cyrillic_language

ANALYZER_VERSION = "3"  # stored with the index: a change to the stems rebuilds the lexical index of existing archives

WORD = re.compile(r"\w+", re.UNICODE)  # a run of letters, digits and underscores: words as readers count them
_TERM = re.compile(r"[^\W_]+", re.UNICODE)  # a word for the lexical index: letters and digits
_STEMMERS = {"en": Stemmer.Stemmer("english"), "ru": Stemmer.Stemmer("russian")}
MIN_STEM = 5  # a word is cut to a prefix of at least this many letters when matched across spellings

# Words too common to help a ranking in the archive's languages; dropping them also bounds the work per query.
STOPWORDS = frozenset(
    """a an and are as at be been by did do does for from had has have he her his how in is it its of on or our she
    that the their them they this to was were what when where which who whom whose why will with would you
    и в во на не что как кто где когда почему какой какая какие каких каком кого кому чем о об от по за из к с со у
    же ли бы был была были это этот эта эти его ее её их он она они мы вы я для до при над под или а но
    және мен бен пен да де та те ма ме ба бе па пе не қай қандай кім кімнің кімге неге қашан қайда бұл сол ол олар
    деген дегеніміз үшін""".split()
)


def words(text: str) -> list[str]:
    """The normalised words of a text (each distinct word is normalised once: texts repeat their words)."""
    return [normalise_letters(word) for word in _TERM.findall(unicodedata.normalize("NFKC", text))]


def is_informative(word: str) -> bool:
    """A query word worth matching: not a stopword, and a number or at least two letters long."""
    return word not in STOPWORDS and (len(word) >= 2 or word.isdigit())


@lru_cache(maxsize=200_000)
def stem(word: str, cyrillic_as: str = "ru") -> str:
    """The stem of one normalised word; Cyrillic words are stemmed as `cyrillic_as` unless they are Kazakh."""
    if CYRILLIC.match(word):
        if cyrillic_as == "kk" or KAZAKH_LETTER.search(word):
            return stem_kazakh(word)
        return _STEMMERS["ru"].stemWord(word)
    if LATIN.match(word):
        return _STEMMERS["en"].stemWord(word)
    return word  # digits and other scripts as they are


def stems(text: str) -> list[str]:
    """The stems of a text's words, in order, each word stemmed by the text's language."""
    tokens = words(text)
    cyrillic_as = cyrillic_language(" ".join(tokens))
    return [stem(token, cyrillic_as) for token in tokens]


def matching_prefix(key: str) -> str:
    """The part of a word (or a transliterated key) that must match across spellings and endings: all but its
    last two letters, and at least MIN_STEM of them."""
    return key[: max(MIN_STEM, len(key) - 2)] if len(key) > MIN_STEM else key

"""Text rules shared by indexing, search and highlighting: scripts, languages, words, letters, stems and stopwords.

The same rules run when a passage is indexed and when a query is read, so "гидраның" meets "гидра",
"приговорили" meets "приговор" and "sentenced" meets "sentence":

- Scripts and languages: a text is English, Russian or Kazakh by its letters (Kazakh has letters Russian lacks).
- Letters: NFKC, lower case, ё → е, Kazakh letter variants (ӛ/ө, ҥ/ң, Latin ә/і in Cyrillic words) and Latin
  homoglyphs inside Cyrillic words (and the reverse) folded, so OCR and keyboard variants meet.
- Stems: English and Russian Snowball stemmers, the Kazakh suffix stripper for Kazakh text or words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from indexing.kazakh_stemmer import stem_kazakh

ANALYZER_VERSION = "3"  # stored with the index: a change to the stems rebuilds the lexical index of existing archives

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
KAZAKH_LETTER = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")  # letters Kazakh has and Russian lacks
WORD = re.compile(r"\w+", re.UNICODE)  # a run of letters, digits and underscores: words as readers count them
_TERM = re.compile(r"[^\W_]+", re.UNICODE)  # a word for the lexical index: letters and digits
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINE_END_HYPHEN = re.compile(r"([^\W\d_])[-\u00ad]\n[ \t]*([^\W\d_A-ZА-ЯЁ])")
_LETTER_VARIANTS = str.maketrans({"ё": "е", "ӛ": "ө", "ҥ": "ң", "ҳ": "һ", "ə": "ә", "ӏ": "і", "\u0131": "i"})
_STEMMERS = {"en": Stemmer.Stemmer("english"), "ru": Stemmer.Stemmer("russian")}

KAZAKH_SHARE = 0.01  # Cyrillic text with more Kazakh-only letters than this share of its Cyrillic letters is Kazakh
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


# --- scripts and languages


def script_counts(text: str) -> tuple[int, int]:
    """How many Cyrillic and how many Latin letters a text has."""
    return len(CYRILLIC.findall(text)), len(LATIN.findall(text))


def cyrillic_language(text: str) -> str:
    """'kk' or 'ru' for Cyrillic text: Kazakh when its Kazakh-only letters pass KAZAKH_SHARE."""
    cyrillic = len(CYRILLIC.findall(text))
    return "kk" if len(KAZAKH_LETTER.findall(text)) > KAZAKH_SHARE * cyrillic else "ru"


def guess_language(text: str, sample_chars: int = 20_000, min_letters: int = 20) -> str | None:
    """'kk', 'ru' or 'en' by the letters a text is written in; None when it has too few letters to tell."""
    sample = text[:sample_chars]
    cyrillic, latin = script_counts(sample)
    if cyrillic + latin < max(min_letters, 1):
        return None
    return cyrillic_language(sample) if cyrillic > latin else "en"


def passage_language(text: str) -> str | None:
    """A passage's language as search results report it (and the language filter selects it)."""
    return guess_language(text, min_letters=1)


def paragraph_language(paragraph: str) -> str:
    """'kk', 'ru' or 'en' for one paragraph by its letters (Latin, or no letters at all, counts as 'en')."""
    cyrillic, latin = script_counts(paragraph)
    return "en" if cyrillic <= latin else cyrillic_language(paragraph)


def language_regions(text: str) -> list[tuple[int, int, str]]:
    """The text cut into (start, end, language) regions of consecutive paragraphs in the same language.

    The regions cover the text without gaps (blank lines belong to the region before them)."""
    regions: list[tuple[int, int, str]] = []
    start = 0
    for end in [m.end() for m in _PARAGRAPH_BREAK.finditer(text)] + [len(text)]:
        if end <= start:
            continue
        language = paragraph_language(text[start:end])
        if regions and regions[-1][2] == language:
            regions[-1] = (regions[-1][0], end, language)
        else:
            regions.append((start, end, language))
        start = end
    return regions


# --- letters, words and stems

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


def join_hyphenation(text: str) -> str:
    """A word broken at a line end ("repre-\nsenting", "кар-\nтинки") joined again (for embedding and the
    lexical index only: the stored text and every citation keep the original characters)."""
    return _LINE_END_HYPHEN.sub(r"\1\2", text)

"""A text's scripts and language by its letters: Kazakh has letters Russian lacks, English is written in Latin."""

from __future__ import annotations

import re
from typing import Literal

LANGUAGES = ("en", "ru", "kk")  # the archive's languages, in the order filters and reports list them
Language = Literal["en", "ru", "kk"]

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
KAZAKH_LETTER = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")  # letters Kazakh has and Russian lacks
KAZAKH_SHARE = 0.01  # Cyrillic text with more Kazakh-only letters than this share of its Cyrillic letters is Kazakh
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


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

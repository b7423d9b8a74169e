"""A small script-based language guess for documents (English, Russian or Kazakh sources)."""

import re

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")
_KAZAKH_LETTERS = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")


def guess_language(text: str, sample_chars: int = 20_000) -> str | None:
    """'kk', 'ru' or 'en' by the letters a text is written in; None when it has too few letters to tell."""
    sample = text[:sample_chars]
    cyrillic, latin = len(_CYRILLIC.findall(sample)), len(_LATIN.findall(sample))
    if cyrillic + latin < 20:
        return None
    if cyrillic > latin:
        kazakh = len(_KAZAKH_LETTERS.findall(sample))
        return "kk" if kazakh > 0.01 * cyrillic else "ru"
    return "en"


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraph_language(paragraph: str) -> str:
    """'kk', 'ru' or 'en' for one paragraph by its letters (Latin, or no letters at all, counts as 'en')."""
    cyrillic, latin = len(_CYRILLIC.findall(paragraph)), len(_LATIN.findall(paragraph))
    if cyrillic <= latin:
        return "en"
    return "kk" if len(_KAZAKH_LETTERS.findall(paragraph)) > 0.01 * cyrillic else "ru"


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

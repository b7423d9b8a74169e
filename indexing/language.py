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

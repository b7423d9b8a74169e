"""Repair of text layers that are cp1251 (Cyrillic) bytes shown as Latin-1 or cp1252 ("Ìîñêîâñêèé" → "Московский").

Both encodings have one byte per character, so the repair replaces one character by one: the repaired text has the
length of the broken one, and it is what becomes the canonical text that offsets point into.
"""

from __future__ import annotations

import re

from language.scripts import CYRILLIC

MIN_BROKEN_LETTERS = 12  # fewer mis-decoded letters than this on a page are left alone (a French name, say)
MIN_BROKEN_SHARE = 0.3  # ... and so are pages where they are under this share of the letters


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for byte in range(0x80, 0x100):
        try:
            cyrillic = bytes([byte]).decode("cp1251")
        except UnicodeDecodeError:
            continue
        for codec in ("latin-1", "cp1252"):
            try:
                shown = bytes([byte]).decode(codec)
            except UnicodeDecodeError:
                continue
            table.setdefault(ord(shown), cyrillic)
    return table


_TO_CP1251 = _table()
_SHOWN = "".join(chr(c) for c in _TO_CP1251)
_BROKEN_LETTER = re.compile("[\u00c0-\u00ff]")  # À..ÿ: where cp1251's А..я land in Latin-1
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile("[A-Za-z]")
_WORD = re.compile(f"[\\w{re.escape(_SHOWN)}]+")
_C1_CONTROL = re.compile("[\u0080-\u009f]")  # never text: cp1251 punctuation read as Latin-1


def repair_mojibake(text: str) -> str:
    """The text with its mis-decoded Cyrillic words re-decoded; unchanged when it does not look mis-decoded."""
    broken = len(_BROKEN_LETTER.findall(text))
    if broken < MIN_BROKEN_LETTERS or broken < MIN_BROKEN_SHARE * len(_LETTER.findall(text)):
        return text
    text = _WORD.sub(_repair_word, text)
    return _C1_CONTROL.sub(lambda m: m.group(0).translate(_TO_CP1251), text)  # cp1251 punctuation ("—", "“")


def _repair_word(match: re.Match[str]) -> str:
    """A word made of mis-decoded characters (and digits), re-decoded."""
    word = match.group(0)
    if _ASCII_LETTER.search(word) or not all(ord(c) in _TO_CP1251 for c in word if ord(c) >= 0x80):
        return word  # a Cyrillic word has no Latin letters; one with other characters is not cp1251
    repaired = word.translate(_TO_CP1251)
    return repaired if CYRILLIC.search(repaired) or not _LETTER.search(repaired) else word

"""Cross-lingual lexical bridge: Russian and Kazakh words of the field → the English words sources use.

The dense retriever understands a Russian question about an English text only approximately; this small vocabulary
(`data/glossary.tsv`) lets the lexical side match too ("ООН" → "UN", "приговор" → "sentenced").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

SHORT_STEM = 5  # stems shorter than this only take endings of up to MAX_SHORT_ENDING letters
MAX_SHORT_ENDING = 4
_WORD = re.compile(r"\w+(?:-\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Glossary:
    entries: dict[tuple[str, ...], tuple[str, ...]]  # stem words → English words or phrases
    by_initial: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # stems by their first letter

    def __post_init__(self) -> None:
        for stems in self.entries:
            self.by_initial.setdefault(stems[0][:1], []).append(stems)

    def english_terms(self, query: str) -> list[str]:
        """English words and phrases for the glossary words in a query (longest stem wins), in query order."""
        words = _WORD.findall(query.lower())
        terms: dict[str, None] = {}
        for position, word in enumerate(words):
            following = words[position:]
            matching = [stems for stems in self.by_initial.get(word[:1], ()) if _matches(following, stems)]
            if matching:
                best = max(matching, key=lambda stems: sum(map(len, stems)))
                terms.update(dict.fromkeys(self.entries[best]))
        return list(terms)


def _matches(words: list[str], stems: tuple[str, ...]) -> bool:
    if len(words) < len(stems):
        return False
    return all(
        word.startswith(stem) and (len(stem) >= SHORT_STEM or len(word) - len(stem) <= MAX_SHORT_ENDING)
        for word, stem in zip(words, stems)
    )


def parse_glossary(text: str) -> Glossary:
    entries: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            stem, english = line.split("\t", 1)
            entries[tuple(stem.lower().split())] = tuple(t.strip() for t in english.split("|") if t.strip())
    return Glossary(entries)


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return parse_glossary(resources.files("search").joinpath("data/glossary.tsv").read_text(encoding="utf-8"))

"""A light suffix-stripping stemmer for Kazakh (Cyrillic), for lexical search.

Kazakh is agglutinative: a noun takes plural, possessive, case and predicative endings in that order
("соттарының" = сот + тар + ы + ның). Snowball has no Kazakh stemmer, so this strips endings from the right, longest
first, while the stem keeps at least MIN_STEM letters. It is deliberately light: a stem that is too short merges
unrelated words, which costs more ranking quality than a missed inflection.
"""

from __future__ import annotations

from functools import lru_cache

MIN_STEM = 3  # letters kept at least
MAX_ROUNDS = 6  # endings stripped at most: enough that a word and its inflected forms reach the same stem

_ENDINGS = """
    лар лер дар дер тар тер
    ның нің дың дің тың тің
    ға ге қа ке на не а е
    ды ді ты ті ны ні
    да де та те нда нде
    дан ден тан тен нан нен
    мен бен пен
    ша ше дай дей
    ым ім м ың ің ң ы і сы сі
    мыз міз ымыз іміз ңыз ңіз ыңыз іңіз
    сын сін н
    дағы дегі тағы тегі ғы гі қы кі
    лық лік дық дік тық тік
    шы ші
    ған ген қан кен
    атын етін йтын йтін
    ды ді ты ті
    мын мін пын пін бын бін
    сың сің сыз сіз
    уы уі у
""".split()
# Longest first, so "дағы" is tried before "да" and "ның" before "ң".
ENDINGS: tuple[str, ...] = tuple(sorted(set(_ENDINGS), key=lambda ending: (-len(ending), ending)))


@lru_cache(maxsize=100_000)
def stem_kazakh(word: str) -> str:
    """The stem of a lower-case Kazakh word ("гидраның" → "гидра", "соттарының" → "сот")."""
    stem = word
    for _ in range(MAX_ROUNDS):
        for ending in ENDINGS:
            if stem.endswith(ending) and len(stem) - len(ending) >= MIN_STEM:
                stem = stem[: -len(ending)]
                break
        else:
            break
    return stem

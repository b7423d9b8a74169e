"""Lexical search over passage text with SQLite FTS5 (BM25). The index itself is kept by triggers (archive.db)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sqlalchemy import text
from sqlmodel import Session

from indexing.persons.names import to_latin

# Words too common to help a ranking in the archive's languages; dropping them also bounds the work per query.
STOPWORDS = frozenset(
    """a an and are as at be been by did do does for from had has have he her his how in is it its of on or our she
    that the their them they this to was were what when where which who whom whose why will with would you
    и в во на не что как кто где когда почему какой какая какие каких каком кого кому чем о об от по за из к с со у
    же ли бы был была были это этот эта эти его ее её их он она они мы вы я для до при над под или а но
    және мен бен пен да де та те ма ме ба бе па пе не қай қандай кім кімнің кімге неге қашан қайда бұл сол ол олар
    деген дегеніміз үшін""".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
MAX_TERMS = 24
MIN_STEM = 5


def match_expression(query: str) -> str | None:
    """An FTS5 query that ORs the query's informative words, each quoted so no syntax leaks through.

    Words in Cyrillic script are also looked up transliterated, as a prefix that tolerates Russian and Kazakh
    endings: the sources are mostly in Latin script, and names and places are what a lexical match finds.
    """
    terms: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        terms.setdefault(f'"{word}"', None)
        if _CYRILLIC.search(word):
            latin = to_latin(word).lower()
            stem = latin[: max(MIN_STEM, len(latin) - 2)] if len(latin) > MIN_STEM else latin
            terms.setdefault(f'"{stem}"*' if stem != latin else f'"{latin}"', None)
    return " OR ".join(list(terms)[:MAX_TERMS]) if terms else None


def lexical_search(
    session: Session, query: str, k: int, allowed_ids: Sequence[int] | np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Up to k (passage id, BM25 score) pairs, best first; higher scores are better."""
    expression = match_expression(query)
    if expression is None or (allowed_ids is not None and len(allowed_ids) == 0):
        return []
    sql = "SELECT rowid, -bm25(passage_fts) AS score FROM passage_fts WHERE passage_fts MATCH :expression"
    params: dict[str, object] = {"expression": expression, "k": k}
    if allowed_ids is not None:
        sql += " AND rowid IN (SELECT value FROM json_each(:allowed))"
        params["allowed"] = "[" + ",".join(str(int(i)) for i in allowed_ids) + "]"
    sql += " ORDER BY bm25(passage_fts) LIMIT :k"
    rows = session.connection().execute(text(sql), params).all()
    return [(int(row[0]), float(row[1])) for row in rows]

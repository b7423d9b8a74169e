"""The lexical index behind one interface: SQLite's FTS5 table or PostgreSQL's `passage_lexical` table.

Both hold each passage's stems (indexing.analysis.index_terms) and answer the same three questions: in how many
passages a term occurs, each matching passage's BM25 for one term, and how many passages are indexed. BM25 is FTS5's
(k1 = 1.2, b = 0.75, idf = ln((N - n + 0.5) / (n + 0.5)), at least 1e-6); on PostgreSQL it is computed here from the
stored term counts and passage lengths, so both databases rank alike.

SQLite's index is kept by triggers (archive.db). PostgreSQL's is written by `index_flushed_passages`, a session hook
that runs in the flush that writes the passages, so passages and index rows commit together; a deleted passage's
row goes with it (ON DELETE CASCADE). Code that writes passages without the ORM (a bulk load) calls `write_rows`.
"""

from __future__ import annotations

import json
import math
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection, inspect, text
from sqlalchemy.orm import Session, UOWTransaction

from archive.models import Passage
from indexing.analysis import index_terms

K1 = 1.2
B = 0.75
CACHE_TTL_S = 600.0
CACHE_SIZE = 50_000
MAX_LEXEME_BYTES = 2046  # PostgreSQL's limit for one lexeme

_cache: dict[tuple[str, str], tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def cached(connection: Connection, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, remembered per database for CACHE_TTL_S (statistics that change slowly)."""
    full_key = (str(connection.engine.url), key)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(full_key)
    if hit is not None and now - hit[0] < CACHE_TTL_S:
        return hit[1]
    value = compute()
    with _cache_lock:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        _cache[full_key] = (now, value)
    return value


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def idf(passages: int, frequency: int) -> float:
    """SQLite FTS5's BM25 idf of a term found in `frequency` of `passages` passages (a passage count remembered
    from before the latest ingest can be the smaller: it counts as `frequency`)."""
    passages = max(passages, frequency)
    return max(math.log((passages - frequency + 0.5) / (frequency + 0.5)), 1e-6)


class LexicalIndex(Protocol):
    def frequency(self, token: str, prefix: bool, cap: int) -> int:
        """Passages holding the term (any word starting with `token` when `prefix`), counted up to `cap`."""
        ...

    def scores(self, terms: Sequence[tuple[str, bool]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each (token, prefix) term: the ids of the passages holding it and their BM25 for it."""
        ...

    def size(self) -> int:
        """How many passages the index holds (its own row count)."""
        ...


def lexical_index(connection: Connection) -> LexicalIndex:
    if connection.dialect.name == "postgresql":
        return PostgresIndex(connection)
    return Fts5Index(connection)


def indexed_passages(session: Session) -> int:
    """How many passages the lexical index holds (its own row count, not the passage table's)."""
    return lexical_index(session.connection()).size()


def fts5_expression(token: str, prefix: bool) -> str:
    return f'"{token}"*' if prefix else f'"{token}"'


class Fts5Index:
    """SQLite: the contentless FTS5 table `passage_fts`, scored by its own bm25()."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def frequency(self, token: str, prefix: bool, cap: int) -> int:
        # Counting rowids reads the term's posting list only (no BM25, no row lookups), and stops at the cap.
        sql = "SELECT count(*) FROM (SELECT rowid FROM passage_fts WHERE passage_fts MATCH :term LIMIT :cap)"
        found = self._connection.execute(text(sql), {"term": fts5_expression(token, prefix), "cap": cap})
        return int(found.scalar() or 0)

    def scores(self, terms: Sequence[tuple[str, bool]]) -> list[tuple[np.ndarray, np.ndarray]]:
        driver = self._connection.connection.driver_connection
        assert driver is not None  # an open connection
        found = []
        cursor = driver.cursor()  # plain rows: thousands per term, no ORM objects
        try:
            for token, prefix in terms:
                rows = cursor.execute(
                    "SELECT rowid, -bm25(passage_fts) FROM passage_fts WHERE passage_fts MATCH ?",
                    (fts5_expression(token, prefix),),
                ).fetchall()
                ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
                found.append((ids, np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))))
        finally:
            cursor.close()
        return found

    def size(self) -> int:
        return int(self._connection.execute(text("SELECT count(*) FROM passage_fts_docsize")).scalar() or 0)


class PostgresIndex:
    """PostgreSQL: `passage_lexical` (stems as a GIN-indexed tsvector, their counts, the passage's length)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def frequency(self, token: str, prefix: bool, cap: int) -> int:
        sql = "SELECT count(*) FROM (SELECT 1 FROM passage_lexical WHERE terms @@ CAST(:query AS tsquery) LIMIT :cap) m"
        found = self._connection.execute(text(sql), {"query": tsquery(token, prefix), "cap": cap})
        return int(found.scalar() or 0)

    def scores(self, terms: Sequence[tuple[str, bool]]) -> list[tuple[np.ndarray, np.ndarray]]:
        if not terms:
            return []
        driver = self._connection.connection.driver_connection
        assert driver is not None  # an open connection
        rows_per_term = []
        with driver.cursor() as cursor:  # plain tuples: thousands per term, no Row objects
            for token, prefix in terms:  # one query per term: each a GIN lookup that the planner sees whole
                folded = fold_like_fts5(token)
                cursor.execute(
                    _PREFIX_SCORES if prefix else _TERM_SCORES, {"token": folded, "query": tsquery(token, prefix)}
                )
                rows_per_term.append(cursor.fetchall())
        passages, tokens = self._totals()
        average = max(tokens / passages if passages else 1.0, 1e-9)
        result = []
        for rows in rows_per_term:
            found = np.array(rows, dtype=np.float64).reshape(-1, 3)
            counts, lengths = found[:, 1], found[:, 2]
            bm25 = counts * (K1 + 1) / (counts + K1 * (1 - B + B * lengths / average))
            result.append((found[:, 0].astype(np.int64), idf(passages, len(rows)) * bm25))
        return result

    def _totals(self) -> tuple[int, int]:
        """Indexed passages and their summed lengths (FTS5 keeps the same two numbers for its BM25)."""

        def count() -> tuple[int, int]:
            sql = "SELECT count(*), coalesce(sum(length), 0) FROM passage_lexical"
            passages, tokens = self._connection.execute(text(sql)).one()
            return int(passages), int(tokens)

        totals: tuple[int, int] = cached(self._connection, "lexical totals", count)
        return totals

    def size(self) -> int:
        return int(self._connection.execute(text("SELECT count(*) FROM passage_lexical")).scalar() or 0)


# The passages holding a term: id, the term's count in the passage, the passage's length.
_TERM_SCORES = """SELECT passage_id, (counts ->> %(token)s)::int, length FROM passage_lexical
WHERE terms @@ %(query)s::tsquery"""
_PREFIX_SCORES = """SELECT passage_id,
    (SELECT sum(value::int) FROM jsonb_each_text(counts) WHERE starts_with(key, %(token)s)), length
FROM passage_lexical WHERE terms @@ %(query)s::tsquery"""


def tsquery(token: str, prefix: bool) -> str:
    """A one-lexeme tsquery, taken as written (no parser, no dictionary: the stems are already made)."""
    quoted = "'" + fold_like_fts5(token).replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if prefix else quoted


def _latin(char: str) -> bool:
    return char < "\u0250" or "\u1e00" <= char <= "\u1eff"


def fold_like_fts5(token: str) -> str:
    """Diacritics of Latin letters dropped, as FTS5's `remove_diacritics 2` does (é → e; Cyrillic й stays)."""
    if token.isascii():
        return token
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", token):
        if unicodedata.combining(char) and kept and _latin(kept[-1]):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


# --- PostgreSQL: writing the index ------------------------------------------------------------------------------

_UPSERT = text(
    """INSERT INTO passage_lexical (passage_id, terms, counts, length)
    VALUES (:passage_id, array_to_tsvector(CAST(:lexemes AS text[])), CAST(:counts AS jsonb), :length)
    ON CONFLICT (passage_id) DO UPDATE SET terms = excluded.terms, counts = excluded.counts, length = excluded.length"""
)


def lexical_row(passage_id: int, passage_text: str | None, page_breaks: str | None) -> dict[str, Any]:
    """The `passage_lexical` row of a passage: what SQLite's FTS5 row holds, as lexemes, counts and length."""
    tokens = [fold_like_fts5(token) for token in index_terms(passage_text, page_breaks).split()]
    counts = Counter(token for token in tokens if len(token.encode()) <= MAX_LEXEME_BYTES)
    return {"passage_id": passage_id, "lexemes": sorted(counts), "counts": json.dumps(counts), "length": len(tokens)}


def write_rows(connection: Connection, passages: Iterable[tuple[int, str | None, str | None]]) -> int:
    """Index (id, text, page_breaks) passages on PostgreSQL, replacing their rows; returns how many."""
    rows = [lexical_row(*passage) for passage in passages]
    if rows:
        connection.execute(_UPSERT, rows)
    return len(rows)


def _text_changed(passage: Passage) -> bool:
    attributes = inspect(passage).attrs
    return attributes.text.history.has_changes() or attributes.page_breaks.history.has_changes()


def index_flushed_passages(session: Session, _flush: UOWTransaction) -> None:
    """Session hook (after_flush): index the passages this flush inserted or whose text it changed (PostgreSQL)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    written = [obj for obj in session.new if isinstance(obj, Passage)]
    written += [obj for obj in session.dirty if isinstance(obj, Passage) and _text_changed(obj)]
    if written:
        write_rows(session.connection(), ((p.id, p.text, p.page_breaks) for p in written if p.id is not None))


REBUILD_BATCH = 2000


def rebuild_postgres_index(connection: Connection) -> int:
    """Index every passage again (after an analyzer change); returns how many."""
    connection.execute(text("DELETE FROM passage_lexical"))
    done, last_id = 0, 0
    while True:
        batch = connection.execute(
            text("SELECT id, text, page_breaks FROM passage WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last_id, "n": REBUILD_BATCH},
        ).all()
        if not batch:
            return done
        done += write_rows(connection, ((int(row[0]), row[1], row[2]) for row in batch))
        last_id = int(batch[-1][0])

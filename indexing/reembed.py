"""Re-embed every stored passage and its sentences (one pass) with another embedder (after changing the model)."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from archive import storage
from archive.db import session_scope
from archive.models import Document, Passage, id_column, row_id
from indexing.chunk import embedding_text
from indexing.embed import Embedder, content_hash
from indexing.index_store import record_embedder
from indexing.passage_embedding import embed_passages
from indexing.sentence_vectors import decode_spans, encode_spans
from indexing.text_pieces import blank_spans

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
        embedded = []
        for title, group in groupby(rows, key=lambda row: row[1]):  # a document's title is embedded once a batch
            contents = [passage_content(passage) for passage, _ in group]
            embedded += embed_passages(embedder.embed_passages, title, contents)
        with session_scope(engine) as session:
            for (passage, title), vectors in zip(rows, embedded):
                passage.embedding = storage.vector_to_bytes(vectors.vector)
                passage.content_hash = content_hash(spec, embedding_text(title, passage_content(passage)))
                passage.sentence_spans = encode_spans(vectors.sentence_spans)
                passage.sentence_vectors = vectors.sentence_vectors
                session.add(passage)
        done += len(rows)
        last_id = row_id(rows[-1][0])
    with session_scope(engine) as session:
        record_embedder(session, spec)
    return done


def passage_content(passage: Passage) -> str:
    """The passage's text with its page breaks blanked, as it was embedded at ingest."""
    return blank_spans(passage.text, decode_spans(passage.page_breaks))

"""One pass of the embedder: each sentence and the title embedded once, passage vectors made of them."""

import numpy as np
from sqlmodel import Session, select

from archive.models import Passage
from indexing import passage_embedding
from indexing.chunk import chunk_document, embedding_text, sentence_spans
from indexing.sentence_vectors import decode_spans, unpack
from tests.fakes import FakeEmbedder

SHARED = "The appeal court upheld the sentence of seven years on Tuesday."
FIRST = "Serikzhan Bilash was detained in Almaty in March 2019. " + SHARED
SECOND = SHARED + " His lawyer said that the trial had been closed to the press."


class RecordingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed_passages(self, texts):
        self.texts += list(texts)
        return super().embed_passages(texts)


def test_a_sentence_two_passages_share_and_the_title_are_embedded_once():
    embedder = RecordingEmbedder()
    embedded = passage_embedding.embed_passages(embedder.embed_passages, "Court ruling", [FIRST, SECOND], one_pass=True)
    assert sorted(embedder.texts) == sorted(
        {"Court ruling", *(t[s:e] for t in (FIRST, SECOND) for s, e in sentence_spans(t))}
    )
    assert embedder.texts.count(SHARED) == 1
    first = embedded[0]
    units = ["Court ruling", *(FIRST[s:e] for s, e in sentence_spans(FIRST))]
    mean = sum(len(t) * embedder._vector(t) for t in units)
    assert np.allclose(first.vector, mean / np.linalg.norm(mean), atol=1e-6)
    assert first.sentence_spans == sentence_spans(FIRST)
    stored = unpack(first.sentence_vectors, embedder.spec.dim)
    expected = np.stack([embedder._vector(FIRST[s:e]) for s, e in first.sentence_spans])
    assert np.allclose(stored, expected, atol=1e-3)  # float16


def test_by_default_a_passage_is_embedded_whole_with_its_title_beside_its_sentences():
    embedder = RecordingEmbedder()
    [embedded] = passage_embedding.embed_passages(embedder.embed_passages, "Court ruling", [FIRST])
    expected = [embedding_text("Court ruling", FIRST), *(FIRST[s:e] for s, e in sentence_spans(FIRST))]
    assert sorted(embedder.texts) == sorted(expected)
    assert np.allclose(embedded.vector, embedder._vector(embedding_text("Court ruling", FIRST)), atol=1e-6)


def test_ingest_feeds_the_embedder_each_sentence_of_a_document_once(fake_services, tmp_path, monkeypatch):
    monkeypatch.setattr(passage_embedding, "ONE_PASS", True)
    sentences = [
        f"Sentence number {i} tells of a hearing held in court room {i} of the Almaty city court." for i in range(40)
    ]
    body = " ".join(sentences)
    (tmp_path / "long.txt").write_text("Hearings\n\n" + body + "\n")
    embedder = RecordingEmbedder()
    fake_services.ingestor._embedder = embedder
    [outcome] = fake_services.ingestor.ingest([tmp_path / "long.txt"])
    assert outcome.state.value == "indexed" and outcome.passages > 1
    assert len(chunk_document("Hearings\n\n" + body)) > 1  # passages overlap by a sentence, embedded once still
    assert len(embedder.texts) == len(set(embedder.texts))
    assert sum(map(len, embedder.texts)) < len(body) + 200  # every character once (the title once)
    with Session(fake_services.engine) as session:
        passages = session.exec(select(Passage)).all()
    assert all(decode_spans(p.sentence_spans) for p in passages)
    assert all(len(p.embedding) == 4 * embedder.spec.dim for p in passages)


def test_re_embedding_gives_the_vectors_ingest_gave(tmp_path):
    from indexing.reembed import reembed_archive
    from tests.fakes import small_archive

    with small_archive(tmp_path) as services:
        with Session(services.engine) as session:
            before = {
                p.id: (p.embedding, p.sentence_spans, p.sentence_vectors, p.content_hash)
                for p in session.exec(select(Passage))
            }
        assert reembed_archive(services.engine, FakeEmbedder()) == len(before)
        with Session(services.engine) as session:
            after = {
                p.id: (p.embedding, p.sentence_spans, p.sentence_vectors, p.content_hash)
                for p in session.exec(select(Passage))
            }
    assert after == before

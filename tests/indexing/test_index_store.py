"""The FAISS file is a cache of stored embeddings: persisted, checked at start-up, rebuilt when it disagrees."""

import numpy as np
import pytest
from sqlmodel import Session, select

from api.services import Services
from archive.errors import EmbedderMismatchError
from archive.models import Passage
from indexing.pipeline import collect_files
from tests.fakes import FakeEmbedder


@pytest.fixture
def small_archive(fake_services, tmp_path):
    for number in range(3):
        (tmp_path / f"doc{number}.txt").write_text(
            f"Document {number}\n\n"
            + " ".join(f"Sentence {i} of document {number} about case {i * number}." for i in range(40))
        )
    fake_services.ingestor.ingest(list(collect_files([tmp_path])))
    return fake_services


def _reopen(services: Services) -> Services:
    services.close()
    return Services.open(services.settings, embedder=FakeEmbedder())


def _database_ids(services: Services) -> np.ndarray:
    with Session(services.engine) as session:
        return np.array(sorted(session.exec(select(Passage.id)).all()))


def test_index_is_persisted_and_reloaded(small_archive):
    query = small_archive.embedder.embed_query("case 4")
    before = small_archive.index.search(query, 5)
    reopened = _reopen(small_archive)
    assert reopened.settings.index_path.exists()
    assert reopened.index.search(query, 5) == before
    assert np.array_equal(reopened.index.index.ids(), _database_ids(reopened))


def test_deleted_index_file_is_rebuilt_from_stored_embeddings(small_archive):
    small_archive.settings.index_path.unlink()
    reopened = _reopen(small_archive)
    assert np.array_equal(reopened.index.index.ids(), _database_ids(reopened))


def test_corrupt_index_file_is_rebuilt(small_archive):
    small_archive.close()
    small_archive.settings.index_path.write_bytes(b"not an index at all")
    reopened = Services.open(small_archive.settings, embedder=FakeEmbedder())
    assert len(reopened.index) == len(_database_ids(reopened))


def test_stale_index_file_is_brought_in_step(small_archive, tmp_path):
    stale = small_archive.settings.index_path.read_bytes()
    (tmp_path / "late.txt").write_text("Late arrival\n\nA document ingested after the index file was copied.")
    small_archive.ingestor.ingest([tmp_path / "late.txt"])
    small_archive.close()
    small_archive.settings.index_path.write_bytes(stale)  # as if the process died before saving the index
    reopened = Services.open(small_archive.settings, embedder=FakeEmbedder())
    assert np.array_equal(reopened.index.index.ids(), _database_ids(reopened))


def test_passages_deleted_in_the_database_leave_the_index(small_archive):
    with Session(small_archive.engine) as session:
        victim = session.exec(select(Passage)).first()
        session.delete(victim)
        session.commit()
    reopened = _reopen(small_archive)
    assert victim.id not in set(reopened.index.index.ids().tolist())


def test_another_embedder_is_refused_with_the_command_that_fixes_it(small_archive):
    small_archive.close()
    with pytest.raises(EmbedderMismatchError, match="archive reindex --re-embed"):
        Services.open(small_archive.settings, embedder=FakeEmbedder(model="another-model"))


def test_re_embedding_switches_the_archive_to_the_new_embedder(small_archive):
    from indexing.reembed import reembed_archive

    small_archive.close()
    other = FakeEmbedder(dim=32, model="another-model")
    services = Services.open(small_archive.settings, embedder=other, check_index=False)
    count = reembed_archive(services.engine, other)
    assert count == len(_database_ids(services))
    services.index.rebuild()
    reopened = Services.open(small_archive.settings, embedder=FakeEmbedder(dim=32, model="another-model"))
    assert reopened.index.index.spec.dim == 32 and len(reopened.index) == count


def test_a_flat_index_that_outgrows_the_threshold_becomes_ivf(tmp_path):
    from archive import storage
    from archive.settings import Settings
    from indexing.vector_index import FLAT, IVF_SQ8

    settings = Settings(data_dir=tmp_path / "archive", exact_index_threshold=40)
    services = Services.open(settings, embedder=FakeEmbedder())
    files = []
    for number in range(16):
        path = tmp_path / f"grow{number}.txt"
        path.write_text(
            f"Report {number}\n\n"
            + "\n\n".join(
                f"Paragraph {i} of report {number}: witness w{number}x{i} saw case c{i * 7 + number} in town t{i}."
                for i in range(30)
            )
        )
        files.append(path)
    services.ingestor.ingest(files[:1])
    assert services.index.index.kind == FLAT and 0 < len(services.index) < 40
    services.ingestor.ingest(files[1:])
    services.index.save()
    vi = services.index.index
    assert len(vi) >= 40 and vi.kind == IVF_SQ8, vi
    with Session(services.engine) as session:
        ids, vectors = (
            np.concatenate([b[0] for b in storage.iter_embeddings(session, 64)]),
            np.concatenate([b[1] for b in storage.iter_embeddings(session, 64)]),
        )
    assert np.array_equal(vi.ids(), ids)
    for text in ("witness w3x4 saw case", "town t7 report 5", "case c50"):
        query = services.embedder.embed_query(text)
        exact = ids[np.argsort(-(vectors @ query), kind="stable")[:5]].tolist()
        got = [i for i, _ in services.index.search(query, 5)]
        assert got[0] == exact[0] and len(set(got) & set(exact)) >= 4
    reopened = _reopen(services)  # persisted as IVF: loaded, not retrained or rebuilt as flat
    assert reopened.index.index.kind == IVF_SQ8 and np.array_equal(reopened.index.index.ids(), ids)
    reopened.close()


def test_a_search_picks_up_another_writers_passages_in_memory_and_never_writes_the_file(small_archive, tmp_path):
    from archive.settings import Settings

    settings = small_archive.settings
    size = len(small_archive.index)
    small = Settings(data_dir=settings.data_dir, exact_index_threshold=size + 1)
    reader = Services.open(small, embedder=FakeEmbedder())
    (tmp_path / "late.txt").write_text("Late arrival\n\nA document the writer ingests while the reader serves.")
    small_archive.ingestor.ingest([tmp_path / "late.txt"])  # the writer saves the file at the end of its batch
    on_disk = settings.index_path.read_bytes()
    query = reader.embedder.embed_query("Late arrival")
    found = {passage_id for passage_id, _ in reader.index.search(query, 100)}
    assert set(_database_ids(reader).tolist()) == found  # the writer's new passages are searchable at once
    assert len(reader.index) > size and reader.index.index.kind == "flat"  # outgrown, but a search never rebuilds
    assert settings.index_path.read_bytes() == on_disk
    reader.close()
    assert settings.index_path.read_bytes() == on_disk


def test_opening_while_another_process_writes_leaves_the_file_to_the_writer(small_archive):
    from archive.lock import WriterLock

    settings = small_archive.settings
    small_archive.close()
    settings.index_path.unlink()
    lock = WriterLock(settings.writer_lock_path)
    assert lock.acquire(timeout=0)
    try:
        reader = Services.open(settings, embedder=FakeEmbedder())
        assert np.array_equal(reader.index.index.ids(), _database_ids(reader))  # rebuilt in memory, searchable
        assert not settings.index_path.exists()
        reader.close()
    finally:
        lock.release()
    writer = Services.open(settings, embedder=FakeEmbedder())
    assert settings.index_path.exists() and len(writer.index) == len(_database_ids(writer))
    writer.close()

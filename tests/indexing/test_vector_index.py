"""Tests for indexing.vector_index: every index kind against exact numpy search, on clustered data."""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np
import pytest

from archive.errors import ArchiveError
from indexing.vector_index import FLAT, IVF_SQ8, IndexSpec, VectorIndex, _selector, build_index, empty_index

DIM = 64
N = 8000
SPEC = IndexSpec(backend="test", model="clustered-gaussian", dim=DIM)
THRESHOLDS = {FLAT: 10**9, IVF_SQ8: 1000}  # exact_threshold that forces each kind


def clustered(n: int, seed: int, clusters: int = 50) -> np.ndarray:
    """Unit vectors around a shared mean direction plus gaussian clusters (embedding-like)."""
    rng = np.random.default_rng(seed)
    structure = np.random.default_rng(0)  # same mean and centres for every call
    mean = structure.standard_normal(DIM)
    centres = structure.standard_normal((clusters, DIM)) * 0.6
    x = mean / np.linalg.norm(mean) * 2.0 + centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, DIM)) * 0.4
    x = x.astype(np.float32)
    faiss.normalize_L2(x)
    return x


def sparse_ids(n: int, offset: int = 0) -> np.ndarray:
    return (10**9 + 7 * (np.arange(n) + offset)).astype(np.int64)


def exact(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = vectors @ query
    return ids[np.argsort(-scores)[:k]].tolist()


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return sparse_ids(N), clustered(N, seed=1), clustered(40, seed=2)


@pytest.fixture(params=[FLAT, IVF_SQ8])
def built(request: pytest.FixtureRequest, data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> VectorIndex:
    ids, vectors, _ = data
    return build_index(SPEC, ids, vectors, exact_threshold=THRESHOLDS[request.param])


def test_kind_is_chosen_by_size(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, vectors, _ = data
    assert build_index(SPEC, ids, vectors).kind == FLAT
    approx = build_index(SPEC, ids, vectors, exact_threshold=N)
    assert approx.kind == IVF_SQ8 and approx.nprobe is not None and approx.nlist is not None
    assert empty_index(SPEC).kind == FLAT and len(empty_index(SPEC)) == 0


def test_recall_against_exact(built: VectorIndex, data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, vectors, queries = data
    hits = 0
    for q in queries:
        got = built.search(q, 10)
        assert len(got) == 10
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        hits += len({i for i, _ in got} & set(exact(vectors, ids, q, 10)))
    assert hits / (10 * len(queries)) >= 0.9


def test_ids_are_ours_not_positions(built: VectorIndex, data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, vectors, _ = data
    assert len(built) == N
    assert built.ids().dtype == np.int64
    np.testing.assert_array_equal(built.ids(), np.sort(ids))
    for pos in (0, 1234, N - 1):
        top_id, top_score = built.search(vectors[pos], 1)[0]
        assert top_id == ids[pos]
        assert top_score == pytest.approx(1.0, abs=0.02)


def test_allowed_ids_filter_before_top_k(built: VectorIndex, data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, vectors, queries = data
    rng = np.random.default_rng(3)
    mask = np.zeros(N, dtype=bool)
    mask[rng.choice(N, 60, replace=False)] = True
    allowed = np.concatenate([ids[mask], [5, 10**12]])  # unknown ids are harmless
    hits = 0
    for q in queries[:10]:
        got = built.search(q, 10, allowed_ids=allowed)
        assert len(got) == 10
        assert {i for i, _ in got} <= set(ids[mask].tolist())
        hits += len({i for i, _ in got} & set(exact(vectors[mask], ids[mask], q, 10)))
    assert hits / 100 >= 0.9
    few = ids[[7, 700, 7000]]
    assert sorted(i for i, _ in built.search(queries[0], 10, allowed_ids=few)) == sorted(few.tolist())
    assert built.search(queries[0], 10, allowed_ids=np.array([], dtype=np.int64)) == []


@pytest.mark.parametrize("kind", [FLAT, IVF_SQ8])
def test_dense_ids_filter_with_a_bitmap(kind: str, data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    _, vectors, queries = data
    ids = np.arange(1, N + 1, dtype=np.int64)  # database-style ids: the filter becomes a bitmap
    index = build_index(SPEC, ids, vectors, exact_threshold=THRESHOLDS[kind])
    allowed = np.arange(3, N, 97, dtype=np.int64)
    assert isinstance(_selector(allowed), faiss.IDSelectorBitmap)
    assert isinstance(_selector(sparse_ids(10)), faiss.IDSelectorBatch)
    for q in queries[:5]:
        got = index.search(q, 10, allowed_ids=allowed[::-1])  # any order
        assert len(got) == 10 and {i for i, _ in got} <= set(allowed.tolist())
        positions = allowed - 1
        assert len({i for i, _ in got} & set(exact(vectors[positions], allowed, q, 10))) >= 8
    index.remove(allowed)
    assert len(index) == N - allowed.size
    assert index.search(queries[0], 10, allowed_ids=allowed) == []


def test_remove_and_readd(built: VectorIndex, data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, vectors, queries = data
    top = [i for i, _ in built.search(queries[0], 5)]
    built.remove(np.array(top + [3], dtype=np.int64))  # 3 is not in the index: ignored
    assert len(built) == N - 5
    assert not set(top) & {i for i, _ in built.search(queries[0], 10)}
    assert not set(top) & set(built.ids().tolist())
    positions = np.searchsorted(ids, top)
    built.add(np.array(top, dtype=np.int64), vectors[positions])
    assert len(built) == N
    np.testing.assert_array_equal(built.ids(), np.sort(ids))
    with pytest.raises(ValueError, match="already in the index"):
        built.add(ids[:1], vectors[:1])


def test_save_load_round_trip_without_retraining(
    built: VectorIndex, data: tuple[np.ndarray, np.ndarray, np.ndarray], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, queries = data
    if built.kind == IVF_SQ8:
        built.nprobe = 7
    path = tmp_path / "vectors.faiss"
    built.save(path)
    assert os.listdir(tmp_path) == ["vectors.faiss"]  # no temp files left

    def no_training(*_: object) -> None:
        raise AssertionError("load() must not retrain")

    for cls in {type(built._index), faiss.IndexFlatIP, faiss.IndexFlat}:
        monkeypatch.setattr(cls, "train", no_training)
    with pytest.raises(AssertionError):  # the patch is effective
        built._index.train(queries)
    loaded = VectorIndex.load(path)
    assert loaded.spec == SPEC and loaded.kind == built.kind and loaded.nprobe == built.nprobe
    np.testing.assert_array_equal(loaded.ids(), built.ids())
    for q in queries[:10]:
        assert loaded.search(q, 10) == built.search(q, 10)
    new = clustered(3, seed=9)  # the loaded index keeps working (trained state persisted)
    loaded.add(np.array([1, 2, 3], dtype=np.int64), new)
    assert loaded.search(new[1], 1)[0][0] == 2


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "vectors.faiss"
    index = empty_index(SPEC)
    index.add(sparse_ids(10), clustered(10, seed=4))
    index.save(path)
    before = path.read_bytes()
    index.add(sparse_ids(5, offset=10), clustered(5, seed=5))

    def failing_fsync(_: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        index.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["vectors.faiss"]
    monkeypatch.undo()
    index.save(path)
    assert len(VectorIndex.load(path)) == 15
    assert os.listdir(tmp_path) == ["vectors.faiss"]


def test_missing_or_corrupt_file_raises_archive_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.faiss"
    with pytest.raises(ArchiveError, match="nope.faiss does not exist"):
        VectorIndex.load(missing)

    garbage = tmp_path / "garbage.faiss"
    garbage.write_bytes(b"not an index at all")
    with pytest.raises(ArchiveError, match="garbage.faiss is corrupt"):
        VectorIndex.load(garbage)

    good = tmp_path / "good.faiss"
    index = empty_index(SPEC)
    index.add(sparse_ids(100), clustered(100, seed=6))
    index.save(good)
    raw = good.read_bytes()
    truncated = tmp_path / "truncated.faiss"
    truncated.write_bytes(raw[: len(raw) - 100])
    flipped = tmp_path / "flipped.faiss"
    flipped.write_bytes(raw[:-10] + bytes([raw[-10] ^ 0xFF]) + raw[-9:])
    bad_header = tmp_path / "bad_header.faiss"
    bad_header.write_bytes(raw[:20] + b"\xff" + raw[21:])  # inside the JSON header
    for path in (truncated, flipped, bad_header):
        with pytest.raises(ArchiveError, match="corrupt") as info:
            VectorIndex.load(path)
        assert str(tmp_path) not in str(info.value)  # names the file, never a server path


def test_input_validation_and_threads(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, vectors, queries = data
    index = empty_index(SPEC)
    assert index.search(queries[0], 10) == []
    with pytest.raises(ValueError):
        index.add(ids[:3], vectors[:2])
    with pytest.raises(ValueError):
        index.add(ids[:2], vectors[:2, :10])
    with pytest.raises(ValueError, match="duplicate"):
        index.add(np.array([1, 1]), vectors[:2])
    index.add(ids[:100], vectors[:100])
    with pytest.raises(ValueError):
        index.search(queries[0][:10], 5)
    assert len(index.search(queries[0], 500)) == 100
    threads = faiss.omp_get_max_threads()
    index.search(queries[0], 5)
    assert faiss.omp_get_max_threads() == threads

"""A small vector index over FAISS, keyed by passage ids (int64), never by position.

Vectors are L2-normalised float32 and similarity is the inner product. Two kinds exist:

* ``"flat"``: ``IndexIDMap2(IndexFlatIP)``, exact; used for new and small archives.
* ``"ivf-sq8"``: ``IndexIVFScalarQuantizer`` (8-bit per dimension, residuals to the coarse centroids), approximate;
  ids are stored in the inverted lists themselves. At 1M x 384 dims it takes ~400 bytes per passage and, with the
  default ``nprobe``, keeps recall@10 >= 0.95 against exact search at a few ms per query on one thread.

Both kinds support ``add``, ``remove`` and filtered ``search`` (an ``IDSelectorBitmap`` or ``IDSelectorBatch`` passed
in FAISS ``SearchParameters``/``SearchParametersIVF``, so the filter acts before the top-k is cut). An index is saved
as one file: a small JSON header (spec, kind, search knob, checksum) followed by the serialized FAISS index, written
to a temp file, fsynced and renamed, so a crash leaves either the old or the new file. Loading never retrains.

Concurrency: ``search`` may run from several threads at once; ``add``/``remove``/``save`` need exclusive access
(the caller serialises writers).
"""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from archive.errors import ArchiveError

__all__ = [
    "IndexSpec",
    "VectorIndex",
    "VectorIndexError",
    "build_index",
    "empty_index",
    "FLAT",
    "IVF_SQ8",
]

FLAT = "flat"
IVF_SQ8 = "ivf-sq8"
_KINDS = (FLAT, IVF_SQ8)

_MAGIC = b"ARCHVIDX"
_FORMAT = 1
_HEADER_LEN = struct.Struct("<Q")

_BITMAP_MIN_BYTES = 1 << 20  # a filter bitmap up to this size is always fine

#: Threads used for training and bulk adds (FAISS uses OpenMP; the setting is per calling thread).
DEFAULT_BUILD_THREADS = max(1, os.cpu_count() or 1)
#: Threads used for one query: a web server already runs concurrent requests on the few cores.
DEFAULT_SEARCH_THREADS = 1


class VectorIndexError(ArchiveError):
    """The vector index file is missing, corrupt or does not match what was expected."""


@dataclass(frozen=True)
class IndexSpec:
    """What built the vectors; stored with the index so a mismatched embedder can be refused."""

    backend: str
    model: str
    dim: int


@contextmanager
def _omp_threads(n: int) -> Iterator[None]:
    """Run a block with ``n`` FAISS/OpenMP threads, restoring the previous setting afterwards."""
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(max(1, int(n)))
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def _as_ids(ids: np.ndarray) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.ndim != 1:
        raise ValueError(f"ids must be a 1-D array, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"ids must be integers, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError("ids must be non-negative (FAISS uses -1 for 'no result')")
    return arr


def _unique_sorted(ids: np.ndarray) -> np.ndarray:
    """``np.unique`` without the sort when the input is already strictly increasing (the common case)."""
    return ids if ids.size < 2 or bool(np.all(ids[1:] > ids[:-1])) else np.unique(ids)


def _selector(ids: np.ndarray) -> faiss.IDSelector:
    """A FAISS id filter for sorted unique non-negative ``ids``.

    A bitmap (one bit per id up to the largest; cheapest to build and test) when that is small — database ids are
    dense, so this is the usual case — else ``IDSelectorBatch`` (a hash set with a Bloom pre-filter).
    """
    nbytes = (int(ids[-1]) >> 3) + 1 if ids.size else 1
    if nbytes <= max(_BITMAP_MIN_BYTES, 8 * ids.size):
        bitmap = np.zeros(nbytes, dtype=np.uint8)
        np.bitwise_or.at(bitmap, ids >> 3, np.left_shift(1, ids & 7).astype(np.uint8))
        return faiss.IDSelectorBitmap(bitmap)  # the wrapper keeps a reference to ``bitmap``
    return faiss.IDSelectorBatch(ids)


class VectorIndex:
    """A FAISS index addressed by passage ids. Build with :func:`build_index` / :func:`empty_index` or :meth:`load`."""

    def __init__(
        self,
        spec: IndexSpec,
        kind: str,
        index: faiss.Index,
        *,
        nprobe: int | None = None,
        search_threads: int = DEFAULT_SEARCH_THREADS,
        build_threads: int = DEFAULT_BUILD_THREADS,
    ) -> None:
        if kind not in _KINDS:
            raise ValueError(f"unknown index kind {kind!r}; expected one of {_KINDS}")
        if index.d != spec.dim:
            raise ValueError(f"FAISS index has {index.d} dims but the spec says {spec.dim}")
        self.spec = spec
        self.kind = kind
        self.search_threads = search_threads
        self.build_threads = build_threads
        self._index = index
        self._ids_cache: np.ndarray | None = None
        self._nprobe: int | None = None
        if kind == IVF_SQ8:
            self.nprobe = nprobe if nprobe is not None else default_nprobe(self.nlist)

    # ----------------------------------------------------------------- knobs
    @property
    def nlist(self) -> int | None:
        """Number of inverted lists (IVF kinds only)."""
        return int(self._index.nlist) if self.kind == IVF_SQ8 else None

    @property
    def nprobe(self) -> int | None:
        """Lists visited per query (IVF kinds only; None for exact). Higher = better recall, slower; persisted."""
        return self._nprobe

    @nprobe.setter
    def nprobe(self, value: int | None) -> None:
        if self.kind != IVF_SQ8:
            if value is not None:
                raise ValueError(f"a {self.kind!r} index has no nprobe")
            return
        if value is None or int(value) < 1:
            raise ValueError("nprobe must be a positive integer")
        self._nprobe = min(int(value), int(self._index.nlist))
        self._index.nprobe = self._nprobe

    # ------------------------------------------------------------- mutation
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add ``vectors`` (n, dim) under ``ids`` (n,). Ids must be new: remove an id before re-adding it."""
        id_arr = _as_ids(ids)
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[1] != self.spec.dim:
            raise ValueError(f"vectors must have shape (n, {self.spec.dim}), got {vecs.shape}")
        if vecs.shape[0] != id_arr.shape[0]:
            raise ValueError(f"{id_arr.shape[0]} ids for {vecs.shape[0]} vectors")
        if id_arr.size == 0:
            return
        if not np.isfinite(vecs).all():
            raise ValueError("vectors contain NaN or infinite values")
        new_sorted = np.sort(id_arr)
        if np.any(new_sorted[1:] == new_sorted[:-1]):
            raise ValueError("duplicate ids in one add() call")
        present = self.ids()
        if present.size:
            pos = np.searchsorted(present, new_sorted).clip(max=present.size - 1)
            clash = new_sorted[present[pos] == new_sorted]
            if clash.size:
                raise ValueError(f"{clash.size} id(s) already in the index (e.g. {int(clash[0])}); remove them first")
        with _omp_threads(self.build_threads):
            self._index.add_with_ids(vecs, id_arr)
        self._ids_cache = np.union1d(present, new_sorted) if present.size else new_sorted

    def remove(self, ids: np.ndarray) -> None:
        """Remove the given ids; ids not in the index are ignored."""
        id_arr = _as_ids(ids)
        if id_arr.size == 0 or self._index.ntotal == 0:
            return
        id_arr = _unique_sorted(id_arr)
        with _omp_threads(self.build_threads):
            self._index.remove_ids(_selector(id_arr))
        if self._ids_cache is not None:
            self._ids_cache = self._ids_cache[~np.isin(self._ids_cache, id_arr)]

    # ---------------------------------------------------------------- query
    def search(self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``k`` most similar ids to ``query`` (dim,), best first, as ``(id, inner product)``.

        ``allowed_ids`` restricts the candidates inside FAISS, before the top-k is cut. For IVF, ``nprobe`` is widened
        in proportion to how selective the filter is, and to all lists if that still yields fewer than ``k`` hits.
        """
        q = np.ascontiguousarray(query, dtype=np.float32)
        if q.ndim == 2 and q.shape[0] == 1:
            q = q[0]
        if q.shape != (self.spec.dim,):
            raise ValueError(f"query must have shape ({self.spec.dim},), got {q.shape}")
        ntotal = int(self._index.ntotal)
        if k <= 0 or ntotal == 0:
            return []
        q = q.reshape(1, -1)

        allowed: np.ndarray | None = None
        if allowed_ids is not None:
            allowed = _unique_sorted(_as_ids(allowed_ids))
            if allowed.size == 0:
                return []
        k_eff = min(int(k), ntotal if allowed is None else min(ntotal, int(allowed.size)))

        with _omp_threads(self.search_threads):
            if self.kind == FLAT:
                params = None if allowed is None else faiss.SearchParameters(sel=_selector(allowed))
                return self._run(q, k_eff, params)
            assert self._nprobe is not None
            if allowed is None:
                return self._run(q, k_eff, faiss.SearchParametersIVF(nprobe=self._nprobe))
            nlist = int(self._index.nlist)
            sel = _selector(allowed)
            fraction = min(1.0, allowed.size / ntotal)
            nprobe = min(nlist, max(self._nprobe, math.ceil(self._nprobe / fraction)))
            hits = self._run(q, k_eff, faiss.SearchParametersIVF(sel=sel, nprobe=nprobe))
            if len(hits) < k_eff and nprobe < nlist:
                hits = self._run(q, k_eff, faiss.SearchParametersIVF(sel=sel, nprobe=nlist))
            return hits

    def _run(self, q: np.ndarray, k: int, params: faiss.SearchParameters | None) -> list[tuple[int, float]]:
        scores, labels = self._index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(labels[0], scores[0]) if i >= 0]

    def _compact(self) -> None:
        """Drop the inverted lists' spare capacity (growth by doubling leaves up to 2x) via a serialize round trip."""
        if self.kind == IVF_SQ8:
            self._index = faiss.deserialize_index(faiss.serialize_index(self._index))
            self._index.nprobe = self._nprobe

    def ids(self) -> np.ndarray:
        """All ids present, sorted (int64)."""
        if self._ids_cache is None:
            self._ids_cache = np.sort(self._collect_ids())
        return self._ids_cache.copy()

    def _collect_ids(self) -> np.ndarray:
        if self.kind == FLAT:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64, copy=False)
        invlists = self._index.invlists
        parts: list[np.ndarray] = []
        for lst in range(invlists.nlist):
            size = invlists.list_size(lst)
            if size:
                ptr = invlists.get_ids(lst)
                parts.append(faiss.rev_swig_ptr(ptr, size).copy())
                invlists.release_ids(lst, ptr)
        return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def __repr__(self) -> str:
        knob = f", nlist={self.nlist}, nprobe={self.nprobe}" if self.kind == IVF_SQ8 else ""
        return f"VectorIndex(kind={self.kind!r}, n={len(self)}, spec={self.spec}{knob})"

    # ---------------------------------------------------------- persistence
    def _header(self, payload_len: int, crc: int) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "spec": asdict(self.spec),
            "kind": self.kind,
            "nprobe": self._nprobe,
            "count": len(self),
            "payload_bytes": payload_len,
            "payload_crc32": crc,
            "faiss_version": faiss.__version__,
        }

    def save(self, path: Path) -> None:
        """Write the index and its header to ``path`` atomically (temp file in the same dir, fsync, rename)."""
        path = Path(path)
        payload = faiss.serialize_index(self._index)
        view = memoryview(payload)
        header = json.dumps(self._header(len(payload), zlib.crc32(view)), sort_keys=True).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC)
                fh.write(_HEADER_LEN.pack(len(header)))
                fh.write(header)
                fh.write(view)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        _fsync_dir(path.parent)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Load a saved index (trained state included: nothing is retrained). Raises :class:`VectorIndexError`."""
        path = Path(path)
        name = path.name
        try:
            with open(path, "rb") as fh:
                header, offset = _parse_header(fh, path)
                fh.seek(offset)
                data = fh.read()
        except FileNotFoundError:
            raise VectorIndexError(f"vector index file {name} does not exist; rebuild the index") from None
        except OSError as exc:
            raise VectorIndexError(f"vector index file {name} cannot be read: {exc.strerror}") from None

        if len(data) != header["payload_bytes"] or zlib.crc32(data) != header["payload_crc32"]:
            raise VectorIndexError(f"vector index file {name} is corrupt (truncated or damaged); rebuild the index")
        try:
            index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        except RuntimeError:
            raise VectorIndexError(
                f"vector index file {name} is corrupt (FAISS cannot read it); rebuild the index"
            ) from None
        del data

        spec, kind = header["spec"], header["kind"]
        expected = faiss.IndexIDMap2 if kind == FLAT else faiss.IndexIVFScalarQuantizer
        if not isinstance(index, expected) or index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise VectorIndexError(f"vector index file {name} holds a {type(index).__name__}, not a {kind!r} index")
        if index.d != spec["dim"] or index.ntotal != header["count"] or not index.is_trained:
            raise VectorIndexError(f"vector index file {name} does not match its header; rebuild the index")
        return cls(IndexSpec(**spec), kind, index, nprobe=header["nprobe"])


def _parse_header(fh: Any, path: Path) -> tuple[dict[str, Any], int]:
    """Read and validate the header; return it and the payload offset."""
    bad = VectorIndexError(f"vector index file {path.name} is corrupt or not a vector index; rebuild the index")
    prefix = fh.read(len(_MAGIC) + _HEADER_LEN.size)
    if len(prefix) != len(_MAGIC) + _HEADER_LEN.size or not prefix.startswith(_MAGIC):
        raise bad
    (hlen,) = _HEADER_LEN.unpack(prefix[len(_MAGIC) :])
    if hlen > 1 << 20:
        raise bad
    raw = fh.read(hlen)
    try:
        header = json.loads(raw.decode("utf-8"))
        spec = header["spec"]
        ok = (
            isinstance(header, dict)
            and header["format"] == _FORMAT
            and header["kind"] in _KINDS
            and set(spec) == {"backend", "model", "dim"}
            and isinstance(spec["dim"], int)
            and isinstance(header["payload_bytes"], int)
            and isinstance(header["payload_crc32"], int)
            and isinstance(header["count"], int)
            and (header["kind"] == FLAT or (isinstance(header["nprobe"], int) and header["nprobe"] > 0))
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise bad from None
    if not ok:
        raise bad
    return header, len(prefix) + hlen


def _fsync_dir(directory: Path) -> None:
    """Persist a rename (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------ factories
def choose_nlist(n: int) -> int:
    """IVF list count for ``n`` vectors: ~2*sqrt(n) rounded to a power of two (1M -> 2048, 200k -> 1024)."""
    return int(2 ** round(math.log2(max(16.0, 2.0 * math.sqrt(max(n, 1))))))


def default_nprobe(nlist: int | None) -> int:
    """Default lists probed per query; tuned by ``benchmarks/vector_index.py`` for recall@10 >= 0.95."""
    if nlist is None:
        return 1
    return min(nlist, max(48, nlist // 32))


def empty_index(spec: IndexSpec) -> VectorIndex:
    """An empty exact index, for a new archive."""
    if spec.dim <= 0:
        raise ValueError(f"dim must be positive, got {spec.dim}")
    index = faiss.index_factory(spec.dim, "IDMap2,Flat", faiss.METRIC_INNER_PRODUCT)
    return VectorIndex(spec, FLAT, index)


def build_index(
    spec: IndexSpec,
    ids: np.ndarray,
    vectors: np.ndarray,
    *,
    exact_threshold: int = 100_000,
    nlist: int | None = None,
    nprobe: int | None = None,
    train_size: int | None = None,
    threads: int = DEFAULT_BUILD_THREADS,
    seed: int = 1234,
) -> VectorIndex:
    """Build an index holding ``vectors`` under ``ids``, choosing the FAISS type by size.

    Below ``exact_threshold`` vectors: exact ``IDMap2,Flat``. At or above it: ``IVF{nlist},SQ8`` trained on a sample
    of the given vectors (``train_size``, default 64 per list), searched with ``nprobe`` lists.
    """
    id_arr = _as_ids(ids)
    vecs = np.ascontiguousarray(vectors, dtype=np.float32)
    if vecs.ndim != 2 or vecs.shape[1] != spec.dim:
        raise ValueError(f"vectors must have shape (n, {spec.dim}), got {vecs.shape}")
    n = vecs.shape[0]
    if n < exact_threshold:
        vi = empty_index(spec)
        vi.build_threads = threads
        vi.add(id_arr, vecs)
        return vi

    nlist = nlist or choose_nlist(n)
    if n < nlist:
        raise ValueError(f"{n} vectors are too few to train {nlist} IVF lists")
    index = faiss.index_factory(spec.dim, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = 20
    index.cp.seed = seed
    index.cp.max_points_per_centroid = 10_000  # we subsample ourselves
    n_train = min(n, train_size or 64 * nlist)
    rng = np.random.default_rng(seed)
    sample = vecs if n_train == n else vecs[np.sort(rng.choice(n, n_train, replace=False))]
    with _omp_threads(threads):
        index.train(sample)
    del sample
    vi = VectorIndex(spec, IVF_SQ8, index, nprobe=nprobe, build_threads=threads)
    vi.add(id_arr, vecs)
    vi._compact()
    return vi

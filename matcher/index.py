"""FAISS indices of open items, one per kind, persisted with a manifest.

Vectors are L2-normalised, so inner product = cosine. FAISS ids are the database item ids.
The files are a cache: whenever the manifest disagrees with the database, the caller rebuilds.

Each kind's index picks its own mode from its size, automatically, and the manifest records it:

- "flat" (exact search, `IndexIDMap2(IndexFlatIP)`) while it holds at most `flat_max` items
  (the caller passes it: setting INDEX_FLAT_MAX);
- "ivf" (`IndexIVFFlat`, inner product, spherical k-means centroids) above that. It is trained on
  the items it holds when it switches, with about 4 x sqrt(n) lists and `nprobe_for(nlist)` lists
  probed per search (recall@10 >= 0.95 against exact search from 250k to 1M items,
  docs/BENCHMARKS.md).
  Deletes are real deletes: a hash-table direct map makes `remove_ids` O(1) per id, so closed
  items never come back and no filter is needed. It is re-trained when it has grown four-fold
  since training (too few lists for its size) and turns flat again below `flat_max // 2`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)
KINDS = ("lost", "found")
DEFAULT_FLAT_MAX = 200_000  # exact search up to here: p50 of a search at 100k is well in budget
TRAIN_POINTS_PER_LIST = 40  # k-means sample per IVF list (FAISS warns below 39)
TRAIN_ITERATIONS = 12
IVF_SEED = 1234


def ids_checksum(ids: Iterable[int]) -> str:
    """Order-independent fingerprint of a set of ids.

    SHA-256 of the sorted ids as signed 64-bit little-endian integers, hashed in one call (the
    same digest as feeding them one by one, without a Python loop over a million ids)."""
    array = np.fromiter((int(i) for i in ids), dtype=np.int64)
    array.sort()
    return hashlib.sha256(array.astype("<i8").tobytes()).hexdigest()[:16]


def nlist_for(n: int) -> int:
    """IVF lists for n vectors: about 4 x sqrt(n), at least 1, at most n / 39 (k-means needs
    points)."""
    return max(1, min(int(4 * np.sqrt(max(n, 1))), n // 39 or 1))


def nprobe_for(nlist: int) -> int:
    """Lists probed per search: 1/16 of them, at least 32 (all of them for small nlist).

    Recall@10 against exact search needs a larger share of the lists just above the switch than
    at 1M (docs/BENCHMARKS.md, nprobe sweeps): 1/24 gave 0.959 at 250k but 0.983 at 1M. 1/16
    costs about 4 ms of index time at 1M, a third of encoding one query."""
    return min(nlist, max(32, nlist // 16))


def _new_index(dim: int) -> faiss.IndexIDMap2:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def _is_ivf(index: faiss.Index) -> bool:
    return isinstance(index, faiss.IndexIVF)


def _id_selector(ids: np.ndarray) -> faiss.IDSelectorArray:
    """The selector IVF's hash-table direct map accepts (it removes id by id, in O(1))."""
    selector = faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids))
    selector.referenced_array = ids  # keep the buffer alive as long as the selector
    return selector


def _remove(index: faiss.Index, ids: list[int]) -> None:
    array = np.ascontiguousarray(ids, dtype=np.int64)
    if _is_ivf(index):
        index.remove_ids(_id_selector(array))
    else:
        index.remove_ids(array)


def _contents(index: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) of every item in a flat or IVF index, copied out."""
    if not _is_ivf(index):
        ids = faiss.vector_to_array(index.id_map).astype(np.int64)
        flat = faiss.downcast_index(index.index)
        vectors = faiss.vector_to_array(flat.codes).view(np.float32).reshape(-1, flat.d)
        return ids, vectors
    invlists = index.invlists
    all_ids, all_vectors = [], []
    for list_no in range(index.nlist):
        size = invlists.list_size(list_no)
        if size:
            all_ids.append(faiss.rev_swig_ptr(invlists.get_ids(list_no), size).copy())
            codes = faiss.rev_swig_ptr(invlists.get_codes(list_no), size * invlists.code_size)
            all_vectors.append(codes.view(np.float32).reshape(size, index.d).copy())
    if not all_ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, index.d), dtype=np.float32)
    return np.concatenate(all_ids), np.concatenate(all_vectors)


def _stored_ids(index: faiss.Index) -> set[int]:
    if not _is_ivf(index):
        return set(faiss.vector_to_array(index.id_map).tolist())
    invlists = index.invlists
    parts = [faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i))
             for i in range(index.nlist) if invlists.list_size(i)]
    return set(np.concatenate(parts).tolist()) if parts else set()


def build_ivf(dim: int, ids: np.ndarray, vectors: np.ndarray) -> faiss.IndexIVFFlat:
    """An IVF index over these vectors: spherical k-means on a sample, hash-table direct map."""
    n = len(ids)
    nlist = nlist_for(n)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.spherical = True
    index.cp.niter = TRAIN_ITERATIONS
    index.cp.seed = IVF_SEED
    sample_size = min(n, nlist * TRAIN_POINTS_PER_LIST)
    rng = np.random.default_rng(IVF_SEED)
    sample = vectors if sample_size == n else vectors[np.sort(rng.choice(n, sample_size,
                                                                          replace=False))]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                       np.ascontiguousarray(ids, dtype=np.int64))
    index.nprobe = nprobe_for(nlist)
    return index  # FAISS's Python wrapper keeps the quantizer alive with the index


def _build_flat(dim: int, ids: np.ndarray, vectors: np.ndarray) -> faiss.IndexIDMap2:
    index = _new_index(dim)
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                           np.ascontiguousarray(ids, dtype=np.int64))
    return index


def describe(index: faiss.Index) -> dict:
    """The manifest's record of one kind's index."""
    if _is_ivf(index):
        return {"type": "ivf", "nlist": int(index.nlist), "nprobe": int(index.nprobe)}
    return {"type": "flat"}


class VectorIndex:
    """Open lost items (query vectors) and open found items (passage vectors)."""

    def __init__(self, dim: int, model_version: str, flat_max: int | None = None) -> None:
        self.dim = dim
        self.model_version = model_version
        self.flat_max = DEFAULT_FLAT_MAX if flat_max is None else int(flat_max)
        self._indices: dict[str, faiss.Index] = {kind: _new_index(dim) for kind in KINDS}
        self._ids: dict[str, set[int]] = {kind: set() for kind in KINDS}
        self._lock = threading.Lock()

    def size(self, kind: str | None = None) -> int:
        kinds = KINDS if kind is None else (kind,)
        return sum(len(self._ids[k]) for k in kinds)

    def ids(self, kind: str) -> set[int]:
        return set(self._ids[kind])

    def mode(self, kind: str) -> str:
        """"flat" or "ivf": how this kind's items are searched now."""
        return describe(self._indices[kind])["type"]

    def add(self, kind: str, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        with self._lock:
            present = [i for i in ids if i in self._ids[kind]]
            index = self._indices[kind]
            if not _is_ivf(index) and len(self._ids[kind]) - len(present) + len(
                    set(ids)) > self.flat_max:
                # Crossing the flat limit: build the IVF index at once from all the vectors (no
                # flat copy of the new ones first: that would hold them twice).
                if present:
                    _remove(index, present)
                old_ids, old_vectors = _contents(index)
                self._indices[kind] = build_ivf(
                    self.dim, np.concatenate([old_ids, np.asarray(ids, dtype=np.int64)]),
                    np.concatenate([old_vectors, vectors]))
                log.info("%s index: %d items > INDEX_FLAT_MAX=%d, now %s", kind,
                         self._indices[kind].ntotal, self.flat_max, describe(self._indices[kind]))
            else:
                if present:
                    _remove(index, present)
                index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
            self._ids[kind].update(ids)
            self._adapt(kind)

    def remove(self, kind: str, ids: list[int]) -> None:
        with self._lock:
            gone = [i for i in ids if i in self._ids[kind]]
            if gone:
                _remove(self._indices[kind], gone)
                self._ids[kind].difference_update(gone)
                self._adapt(kind)

    def _adapt(self, kind: str) -> None:
        """Switch modes when the size calls for it (the caller holds the lock)."""
        index, n = self._indices[kind], len(self._ids[kind])
        if not _is_ivf(index):
            if n > self.flat_max:
                self._indices[kind] = build_ivf(self.dim, *_contents(index))
            else:
                return
        elif n <= self.flat_max // 2:
            self._indices[kind] = _build_flat(self.dim, *_contents(index))
        elif nlist_for(n) >= 2 * index.nlist:  # grown four-fold since it was trained
            self._indices[kind] = build_ivf(self.dim, *_contents(index))
        else:
            return
        log.info("%s index: %d items, now %s (INDEX_FLAT_MAX=%d)", kind, n,
                 describe(self._indices[kind]), self.flat_max)

    def search(self, kind: str, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest open items of `kind`: (item id, cosine), best first.

        One query runs on the calling thread alone: FAISS's OpenMP team for a single vector
        only waits for a second core that the encoder and the event loop are using (8 ms instead
        of 0.03 ms at 1k items on a busy 2-core machine, docs/BENCHMARKS.md)."""
        with self._lock:
            if not self._ids[kind]:
                return []
            query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, self.dim)
            threads = faiss.omp_get_max_threads()
            faiss.omp_set_num_threads(1)  # per calling thread (OpenMP ICV), restored below
            try:
                scores, ids = self._indices[kind].search(query, min(k, len(self._ids[kind])))
            finally:
                faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def manifest(self) -> dict:
        return {
            "model": self.model_version,
            "dim": self.dim,
            "counts": {kind: len(self._ids[kind]) for kind in KINDS},
            "checksums": {kind: ids_checksum(self._ids[kind]) for kind in KINDS},
            "index": {kind: describe(self._indices[kind]) for kind in KINDS},
            "flat_max": self.flat_max,
        }

    def save(self, folder: Path) -> None:
        """Write both indices and the manifest; the manifest is written last, atomically."""
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            for kind in KINDS:
                tmp = folder / f".{kind}.faiss.tmp"
                faiss.write_index(self._indices[kind], str(tmp))
                os.replace(tmp, folder / f"{kind}.faiss")
            manifest = self.manifest()
        tmp = folder / ".manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2))
        os.replace(tmp, folder / "manifest.json")

    @classmethod
    def load(cls, folder: Path, model_version: str, dim: int,
             expected: dict[str, set[int]], flat_max: int | None = None) -> VectorIndex | None:
        """The saved index if it was built by this model and holds exactly the expected ids.

        Its mode is the one saved, then adapted to `flat_max` (e.g. after INDEX_FLAT_MAX
        changed)."""
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if manifest.get("model") != model_version or manifest.get("dim") != dim:
                log.info("index in %s was built by %s; rebuilding", folder, manifest.get("model"))
                return None
            for kind in KINDS:
                if manifest["checksums"][kind] != ids_checksum(expected[kind]):
                    log.info("index in %s is out of step with the database; rebuilding", folder)
                    return None
            index = cls(dim, model_version, flat_max)
            for kind in KINDS:
                loaded = faiss.read_index(str(folder / f"{kind}.faiss"))
                stored = _stored_ids(loaded)
                if stored != expected[kind] or loaded.d != dim:
                    log.warning("index file %s/%s.faiss disagrees with its manifest", folder, kind)
                    return None
                if _is_ivf(loaded):
                    loaded.nprobe = nprobe_for(loaded.nlist)
                    if loaded.direct_map.type != faiss.DirectMap.Hashtable:
                        loaded.set_direct_map_type(faiss.DirectMap.Hashtable)
                index._indices[kind] = loaded
                index._ids[kind] = stored
                index._adapt(kind)
            return index
        except FileNotFoundError:
            log.info("no saved index in %s; building it", folder)
        except Exception:  # noqa: BLE001 - any unreadable file means "rebuild"
            log.warning("index in %s is unreadable; rebuilding", folder, exc_info=True)
        return None

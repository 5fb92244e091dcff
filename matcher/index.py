"""FAISS indices of open items, one per kind, persisted with a manifest.

Vectors are L2-normalised, so inner product = cosine. FAISS ids are the database item ids.
The files are a cache: whenever the manifest disagrees with the database, the caller rebuilds.
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


def ids_checksum(ids: Iterable[int]) -> str:
    """Order-independent fingerprint of a set of ids."""
    digest = hashlib.sha256()
    for item_id in sorted(int(i) for i in ids):
        digest.update(item_id.to_bytes(8, "little", signed=True))
    return digest.hexdigest()[:16]


def _new_index(dim: int) -> faiss.IndexIDMap2:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


class VectorIndex:
    """Open lost items (query vectors) and open found items (passage vectors)."""

    def __init__(self, dim: int, model_version: str) -> None:
        self.dim = dim
        self.model_version = model_version
        self._indices = {kind: _new_index(dim) for kind in KINDS}
        self._ids: dict[str, set[int]] = {kind: set() for kind in KINDS}
        self._lock = threading.Lock()

    def size(self, kind: str | None = None) -> int:
        kinds = KINDS if kind is None else (kind,)
        return sum(len(self._ids[k]) for k in kinds)

    def ids(self, kind: str) -> set[int]:
        return set(self._ids[kind])

    def add(self, kind: str, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        with self._lock:
            present = [i for i in ids if i in self._ids[kind]]
            if present:
                self._indices[kind].remove_ids(np.asarray(present, dtype=np.int64))
            self._indices[kind].add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
            self._ids[kind].update(ids)

    def remove(self, kind: str, ids: list[int]) -> None:
        with self._lock:
            gone = [i for i in ids if i in self._ids[kind]]
            if gone:
                self._indices[kind].remove_ids(np.asarray(gone, dtype=np.int64))
                self._ids[kind].difference_update(gone)

    def search(self, kind: str, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest open items of `kind`: (item id, cosine), best first."""
        with self._lock:
            if not self._ids[kind]:
                return []
            query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, self.dim)
            scores, ids = self._indices[kind].search(query, min(k, len(self._ids[kind])))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def manifest(self) -> dict:
        return {
            "model": self.model_version,
            "dim": self.dim,
            "counts": {kind: len(self._ids[kind]) for kind in KINDS},
            "checksums": {kind: ids_checksum(self._ids[kind]) for kind in KINDS},
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
             expected: dict[str, set[int]]) -> VectorIndex | None:
        """The saved index if it was built by this model and holds exactly the expected ids."""
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            if manifest.get("model") != model_version or manifest.get("dim") != dim:
                log.info("index in %s was built by %s; rebuilding", folder, manifest.get("model"))
                return None
            for kind in KINDS:
                if manifest["checksums"][kind] != ids_checksum(expected[kind]):
                    log.info("index in %s is out of step with the database; rebuilding", folder)
                    return None
            index = cls(dim, model_version)
            for kind in KINDS:
                loaded = faiss.read_index(str(folder / f"{kind}.faiss"))
                stored = set(faiss.vector_to_array(loaded.id_map).tolist())
                if stored != expected[kind] or loaded.d != dim:
                    log.warning("index file %s/%s.faiss disagrees with its manifest", folder, kind)
                    return None
                index._indices[kind] = loaded
                index._ids[kind] = stored
            return index
        except FileNotFoundError:
            log.info("no saved index in %s; building it", folder)
        except Exception:  # noqa: BLE001 - any unreadable file means "rebuild"
            log.warning("index in %s is unreadable; rebuilding", folder, exc_info=True)
        return None

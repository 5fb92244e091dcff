"""The index's large mode (IVF above INDEX_FLAT_MAX), on small synthetic data and a low threshold."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from matcher.index import DEFAULT_FLAT_MAX, VectorIndex, ids_checksum

DIM = 16


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def exact_top(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return [int(ids[i]) for i in np.argsort(-(vectors @ query))[:k]]


def test_checksum_is_the_same_as_hashing_ids_one_by_one() -> None:
    for ids in (set(), {1}, {3, 1, 2}, {-5, 10**12, 7}):
        digest = hashlib.sha256()
        for item_id in sorted(ids):
            digest.update(item_id.to_bytes(8, "little", signed=True))
        assert ids_checksum(ids) == digest.hexdigest()[:16]


def test_switches_to_ivf_above_the_limit_and_records_it(tmp_path) -> None:
    rng = np.random.default_rng(0)
    vectors = unit(rng, 1200)
    index = VectorIndex(DIM, "m1", flat_max=300)
    index.add("found", list(range(300)), vectors[:300])
    assert index.mode("found") == "flat"
    index.add("found", [300], vectors[300:301])  # one more: over the limit
    assert index.mode("found") == "ivf" and index.mode("lost") == "flat"
    for i in range(301, 1200):
        index.add("found", [i], vectors[i:i + 1])
    assert index.size("found") == 1200
    manifest = index.manifest()
    assert manifest["index"]["found"]["type"] == "ivf" and manifest["flat_max"] == 300
    assert manifest["index"]["lost"] == {"type": "flat"}
    # every stored vector finds itself first
    for i in (0, 299, 300, 777, 1199):
        assert index.search("found", vectors[i], 1)[0][0] == i
    index.save(tmp_path)
    saved = json.loads((tmp_path / "manifest.json").read_text())
    assert saved["index"]["found"]["type"] == "ivf"


def test_bulk_add_over_the_limit_builds_ivf_directly_with_good_recall() -> None:
    rng = np.random.default_rng(1)
    centres = unit(rng, 40)
    vectors = centres[rng.integers(0, 40, 3000)] + 0.15 * rng.normal(size=(3000, DIM))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    ids = np.arange(10, 3010, dtype=np.int64)
    index = VectorIndex(DIM, "m1", flat_max=1000)
    index.add("lost", ids.tolist(), vectors)
    assert index.mode("lost") == "ivf" and index.size("lost") == 3000
    queries = unit(rng, 50)
    recall = np.mean([len(set(exact_top(vectors, ids, q, 10))
                          & {i for i, _ in index.search("lost", q, 10)}) / 10 for q in queries])
    assert recall >= 0.9


def test_ivf_deletes_and_replacements_are_real() -> None:
    rng = np.random.default_rng(2)
    vectors = unit(rng, 800)
    index = VectorIndex(DIM, "m1", flat_max=200)
    index.add("found", list(range(800)), vectors)
    assert index.mode("found") == "ivf"
    index.remove("found", [5, 6, 999])  # 999 was never there
    assert index.size("found") == 798 and 5 not in index.ids("found")
    assert 5 not in [i for i, _ in index.search("found", vectors[5], 20)]
    # adding an id again replaces its vector: no duplicate, the old vector is gone
    index.add("found", [7], vectors[5:6])
    hits = index.search("found", vectors[5], 3)
    assert hits[0][0] == 7 and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert 7 not in [i for i, _ in index.search("found", vectors[7], 20)][:1]
    assert index.size("found") == 798


def test_saved_ivf_index_loads_and_is_refused_when_stale(tmp_path) -> None:
    rng = np.random.default_rng(3)
    vectors = unit(rng, 600)
    index = VectorIndex(DIM, "m1", flat_max=100)
    index.add("found", list(range(600)), vectors)
    index.add("lost", [1, 2], vectors[:2])
    index.remove("found", [10])
    index.save(tmp_path)
    expected = {"found": set(range(600)) - {10}, "lost": {1, 2}}
    loaded = VectorIndex.load(tmp_path, "m1", DIM, expected, flat_max=100)
    assert loaded is not None and loaded.mode("found") == "ivf" and loaded.mode("lost") == "flat"
    assert loaded.size() == 601
    assert loaded.search("found", vectors[42], 1)[0][0] == 42
    assert loaded.search("found", vectors[10], 1)[0][0] != 10
    loaded.remove("found", [42])  # deletes still work after a reload
    assert loaded.search("found", vectors[42], 1)[0][0] != 42
    stale = {"found": set(range(600)), "lost": {1, 2}}
    assert VectorIndex.load(tmp_path, "m1", DIM, stale, flat_max=100) is None
    # a higher limit at start-up turns it back into an exact index
    relaxed = VectorIndex.load(tmp_path, "m1", DIM, expected, flat_max=10_000)
    assert relaxed is not None and relaxed.mode("found") == "flat"
    assert relaxed.search("found", vectors[42], 1)[0][0] == 42


def test_shrinking_turns_flat_again_and_growth_retrains() -> None:
    rng = np.random.default_rng(4)
    vectors = unit(rng, 4000)
    index = VectorIndex(DIM, "m1", flat_max=200)
    index.add("found", list(range(400)), vectors[:400])
    nlist = index.manifest()["index"]["found"]["nlist"]
    index.add("found", list(range(400, 4000)), vectors[400:])
    assert index.manifest()["index"]["found"]["nlist"] > nlist  # re-trained for its new size
    index.remove("found", list(range(3901)))
    assert index.mode("found") == "flat" and index.size("found") == 99
    assert index.search("found", vectors[3950], 1)[0][0] == 3950


async def test_flat_limit_comes_from_the_settings(tmp_path, base_model_path, encoder) -> None:
    """INDEX_FLAT_MAX reaches the index through core.py (the library reads no settings)."""
    from hoyamu.core import start_core
    from tests.conftest import make_settings

    core = await start_core(make_settings(tmp_path, base_model_path, index_flat_max=1234),
                            encoder=encoder)
    try:
        assert core.serving.runtime.index.flat_max == 1234
        assert VectorIndex(DIM, "m1").flat_max == DEFAULT_FLAT_MAX  # a library default, no .env
    finally:
        await core.engine.dispose()

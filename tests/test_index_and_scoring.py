"""FAISS index (real) and the scoring curve."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matcher.index import VectorIndex
from matcher.scoring import Calibration, keyword_overlap, score_pair, tier_of


def unit(rng: np.random.Generator, n: int, dim: int = 8) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_add_search_remove_and_persist(tmp_path) -> None:
    rng = np.random.default_rng(0)
    index = VectorIndex(8, "m1")
    vectors = unit(rng, 5)
    index.add("found", [10, 11, 12, 13, 14], vectors)
    hits = index.search("found", vectors[2], 3)
    assert hits[0][0] == 12 and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert index.search("lost", vectors[2], 3) == []
    index.remove("found", [12])
    assert 12 not in [i for i, _ in index.search("found", vectors[2], 5)]
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path, "m1", 8, {"found": {10, 11, 13, 14}, "lost": set()})
    assert loaded is not None and loaded.size("found") == 4
    assert loaded.search("found", vectors[0], 1)[0][0] == 10


def test_saved_index_is_refused_when_stale_or_corrupt(tmp_path) -> None:
    rng = np.random.default_rng(1)
    index = VectorIndex(8, "m1")
    index.add("lost", [1, 2], unit(rng, 2))
    index.save(tmp_path)
    ids = {"lost": {1, 2}, "found": set()}
    assert VectorIndex.load(tmp_path, "m2", 8, ids) is None  # another model built it
    assert VectorIndex.load(tmp_path, "m1", 8, {"lost": {1, 2, 3}, "found": set()}) is None
    (tmp_path / "lost.faiss").write_bytes(b"garbage")
    assert VectorIndex.load(tmp_path, "m1", 8, ids) is None  # unreadable
    assert VectorIndex.load(tmp_path / "missing", "m1", 8, ids) is None
    assert json.loads((tmp_path / "manifest.json").read_text())["counts"]["lost"] == 2


def test_default_curve_and_tiers() -> None:
    cal = Calibration()
    assert cal.semantic(0.7) == pytest.approx(80)
    assert cal.semantic(0.5) == pytest.approx(60)
    assert cal.semantic(0.3) == pytest.approx(40)
    assert cal.semantic(-0.2) == 0 and cal.semantic(1.0) == 100
    assert [tier_of(s) for s in (90, 80, 65, 59.9)] == ["Excellent", "Good", "Possible", None]


def test_calibration_file_is_read(tmp_path) -> None:
    Calibration((0.6, 0.8, 0.9), (0.0, 60.0, 100.0)).save(tmp_path / "calibration.json")
    assert Calibration.load(tmp_path).semantic(0.8) == pytest.approx(60)
    assert Calibration.load(tmp_path / "nothing").semantic(0.5) == pytest.approx(60)


def test_score_is_symmetric_and_colour_conflicts_count() -> None:
    a, b = {"black", "wallet", "library"}, {"black", "wallet", "leather"}
    one = score_pair(0.8, a, b, "Wallet", "Wallet", Calibration(), (0.9, 0.05, 0.05))
    two = score_pair(0.8, b, a, "Wallet", "Wallet", Calibration(), (0.9, 0.05, 0.05))
    assert one == two
    assert keyword_overlap({"black", "wallet"}, {"brown", "wallet"}) == 0.0
    assert keyword_overlap({"black", "wallet"}, {"black", "purse", "wallet"}) == 1.0
    other = score_pair(0.8, a, b, "Wallet", "Bag", Calibration(), (0.9, 0.05, 0.05))
    assert other.score < one.score and other.category == 0

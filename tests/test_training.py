"""Training data, a real (short) fine-tuning run, the promotion gate, calibration, metrics."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from matcher.encoder import Encoder
from matcher.scoring import Calibration
from matcher.store import ModelStore
from training.calibrate import calibration_from_cosines
from training.evaluate import EvalSet, score_rankings
from training.pairs import PairsError, load_pairs, split_pairs, write_pairs
from training.train import (
    RECIPES,
    TrainConfig,
    check_canaries,
    gate,
    interpolate,
    train,
)

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_pairs_are_valid_and_cover_every_category() -> None:
    pairs = load_pairs(ROOT / "data" / "text_pairs.json")
    assert len(pairs) >= 400
    assert len({p.category for p in pairs}) == 15
    assert sum(1 for p in pairs if p.negative) > len(pairs) / 2
    assert sum(1 for p in pairs if p.lang and ">" in p.lang) > len(pairs) / 4


def test_malformed_pairs_are_reported_with_their_index(tmp_path) -> None:
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps([{"anchor": "lost black wallet", "positive": "found wallet"},
                                {"anchor": "lost keys"}]))
    with pytest.raises(PairsError) as error:
        load_pairs(path)
    assert error.value.index == 1 and "positive" in error.value.reason
    path.write_text("{not json")
    with pytest.raises(PairsError, match="not valid JSON"):
        load_pairs(path)


def test_old_format_loads_and_duplicates_are_dropped(tmp_path) -> None:
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps([{"anchor": "Lost black wallet", "positive": "Found a wallet"},
                                {"anchor": "lost  BLACK wallet", "positive": "found a wallet"},
                                {"anchor": "lost keys", "positive": "found keys"}]))
    pairs = load_pairs(path)
    assert [p.anchor for p in pairs] == ["Lost black wallet", "lost keys"]
    write_pairs(path, pairs)
    assert load_pairs(path) == pairs
    assert not list(tmp_path.glob(".*.tmp"))


def test_split_is_reproducible_and_disjoint() -> None:
    pairs = load_pairs(ROOT / "data" / "text_pairs.json")
    train_a, test_a = split_pairs(pairs, 0.2, 42)
    train_b, test_b = split_pairs(pairs, 0.2, 42)
    assert test_a == test_b and train_a == train_b
    assert not {p.anchor for p in train_a} & {p.anchor for p in test_a}
    assert abs(len(test_a) / len(pairs) - 0.2) < 0.03


def _small_pairs(tmp_path: Path, n: int = 40) -> Path:
    pairs = load_pairs(ROOT / "data" / "text_pairs.json")
    step = len(pairs) // n
    path = tmp_path / "pairs.json"
    write_pairs(path, pairs[::step][:n])
    return path


@pytest.mark.training
def test_short_training_run_writes_a_versioned_calibrated_model(tmp_path, base_model_path) -> None:
    store = ModelStore(tmp_path / "models", str(base_model_path))
    reports = []
    result = train(_small_pairs(tmp_path), store,
                   TrainConfig(epochs=1, max_steps=4, batch_size=8, learning_rate=5e-5),
                   progress=reports.append)
    folder = tmp_path / "models" / result.version
    assert folder == result.path and (folder / "calibration.json").exists()
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["data"]["pairs"] == 40 and metrics["settings"]["max_steps"] == 4
    assert metrics["held_out"]["top1"] is not None and "ece" in metrics["calibration"]
    assert reports and reports[-1].loss is not None and reports[-1].top1 is not None
    calibration = Calibration.load(folder)
    assert list(calibration.cosines) == sorted(calibration.cosines)
    encoder = Encoder(folder)
    assert encoder.version == result.version
    assert encoder.encode("lost", ["kalu wallet"]).shape == (1, 384)
    assert result.promoted == (store.current_version() == result.version)


@pytest.mark.training
def test_training_lowers_the_loss(tmp_path, base_model_path) -> None:
    store = ModelStore(tmp_path / "models", str(base_model_path))
    history = []
    train(_small_pairs(tmp_path, 32), store,
          TrainConfig(epochs=3, batch_size=16, learning_rate=5e-5), progress=history.append)
    losses = [r.loss for r in history]
    assert len(losses) == 3 and losses[-1] < losses[0]


@pytest.mark.training
def test_promotion_gate_refuses_a_worse_model(tmp_path, base_model_path) -> None:
    store = ModelStore(tmp_path / "models", str(base_model_path))
    before = store.current_version()
    # an absurd learning rate wrecks the model: it must not replace the current one
    result = train(_small_pairs(tmp_path), store,
                   TrainConfig(epochs=1, max_steps=3, batch_size=8, learning_rate=0.05))
    assert not result.promoted and "below" in result.reason
    assert result.after["top1"] < result.base["top1"]
    assert store.current_version() == before
    assert (tmp_path / "models" / result.version / "metrics.json").exists()


def test_failed_run_changes_nothing(tmp_path, base_model_path) -> None:
    store = ModelStore(tmp_path / "models", str(base_model_path))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"anchor": "x", "positive": ""}]))
    with pytest.raises(PairsError):
        train(bad, store, TrainConfig(max_steps=1))
    assert store.current_version() == Path(base_model_path).name
    assert not [p for p in (tmp_path / "models").glob("*") if not p.name.startswith(".")]


def test_calibration_separates_true_items_from_impostors() -> None:
    rng = np.random.default_rng(0)
    positive = np.clip(rng.normal(0.88, 0.03, 300), 0, 1)
    impostor = np.clip(rng.normal(0.80, 0.03, 300), 0, 1)
    cal = calibration_from_cosines(positive, impostor)
    assert (cal.semantic(positive) >= 60).mean() >= 0.9
    assert (cal.semantic(impostor) >= 85).mean() <= 0.02
    assert (cal.semantic(impostor) >= 60).mean() < 0.5


def test_metrics_on_a_hand_made_case() -> None:
    data = EvalSet(
        corpus=[{"id": "a", "lang": "en"}, {"id": "b", "lang": "si"}, {"id": "c", "lang": "en"}],
        queries=[{"id": "q1", "lang": "en", "relevant": ["a"]},
                 {"id": "q2", "lang": "si", "relevant": ["b"]},
                 {"id": "q3", "lang": "en", "relevant": ["b"]},
                 {"id": "q4", "lang": "singlish", "relevant": ["c"]}],
        nomatch=[{"id": "n1"}, {"id": "n2"}])
    ranked = [[("a", 90), ("b", 50)],            # rank 1, shown
              [("a", 70), ("b", 65)],            # rank 2, shown (top 3 and >= 60)
              [("a", 80), ("c", 70), ("b", 55)],  # rank 3, not shown (< 60)
              [("a", 40), ("b", 30)]]            # not found in the list
    result = score_rankings(data, ranked, [[("a", 75)], [("c", 20)]], 60, 75)
    assert result["top1"] == 0.25 and result["top3"] == 0.75 and result["top5"] == 0.75
    assert math.isclose(result["mrr10"], (1 + 1 / 2 + 1 / 3 + 0) / 4, abs_tol=1e-4)
    assert result["recall_display"] == 0.5 and result["recall_notify"] == 0.25
    assert result["nomatch_fpr_display"] == 0.5 and result["nomatch_fpr_notify"] == 0.5
    assert result["by_lang"]["en"] == {"n": 2, "top1": 0.5, "top3": 1.0}
    assert result["cross_lang"]["n"] == 2 and result["same_lang"]["top1"] == 0.5


def _scores(top1: float, **styles: float) -> dict:
    worst = min(styles.items(), key=lambda item: item[1])
    return {"top1": top1, "by_style": {k: {"top1": v, "n": 50} for k, v in styles.items()},
            "worst_style": {"style": worst[0], "top1": worst[1]}}


HOLD = {"checked": 22, "failed": 0, "failures": [], "passed": True}


def test_gate_refuses_a_model_whose_worst_style_dropped_though_overall_rose() -> None:
    current = _scores(0.90, en=0.92, si=0.88, singlish=0.90, mixed=0.89)
    base = _scores(0.88, en=0.90, si=0.84, singlish=0.91, mixed=0.88)
    better_overall = _scores(0.93, en=0.99, si=0.95, singlish=0.80, mixed=0.97)
    passed, reason = gate(better_overall, current, base, HOLD)
    assert not passed and "worst style singlish 0.800" in reason
    assert gate(better_overall, current, base, HOLD, force=True)[0]
    even = _scores(0.91, en=0.92, si=0.88, singlish=0.90, mixed=0.89)
    assert gate(even, current, base, HOLD)[0]
    # a style that is not the worst but lost several queries is refused too; one query is noise
    en_fell = _scores(0.93, en=0.88, si=0.90, singlish=0.96, mixed=0.95)
    passed, reason = gate(en_fell, current, base, HOLD)
    assert not passed and reason == ("en 0.880 lost more than one of 50 queries against the "
                                     "current model's 0.920")
    assert gate(_scores(0.93, en=0.90, si=0.90, singlish=0.96, mixed=0.95), current, base, HOLD)[0]
    worse_than_base_only = _scores(0.91, en=0.92, si=0.83, singlish=0.95, mixed=0.95)
    assert not gate(worse_than_base_only, _scores(0.80, en=0.8, si=0.8, singlish=0.8, mixed=0.8),
                    base, HOLD)[0]


def test_gate_refuses_a_model_that_breaks_a_canary(base_model_path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(base_model_path), device="cpu")
    held = check_canaries(model)
    assert held["passed"] and held["checked"] >= 20, held["failures"]
    # a model whose upper layers are wrecked (as a bad run would leave them)
    torch.manual_seed(0)
    with torch.no_grad():
        for layer in model[0].auto_model.encoder.layer[8:]:
            for weight in layer.parameters():
                weight.add_(torch.randn_like(weight) * 0.5)
    broken = check_canaries(model)
    assert not broken["passed"] and broken["failed"] >= 1
    scores = _scores(0.95, en=0.95, si=0.95, singlish=0.95, mixed=0.95)
    passed, reason = gate(scores, scores, scores, broken)
    assert not passed and "canary" in reason


@pytest.fixture(scope="module")
def frozen_run(tmp_path_factory, base_model_path):
    tmp = tmp_path_factory.mktemp("frozen")
    store = ModelStore(tmp / "models", str(base_model_path))
    return train(_small_pairs(tmp), store, TrainConfig(recipe="frozen", max_steps=2, batch_size=8,
                                                        learning_rate=1e-4), promote=False)


def test_interpolation_reproduces_the_base_at_0_and_the_fine_tuned_model_at_1(
        frozen_run, base_model_path) -> None:
    from sentence_transformers import SentenceTransformer

    texts = ["mage kalu wallet eka library eke nathi una", "Black wallet found at the library"]

    def vectors(model) -> np.ndarray:
        return model.encode(texts, normalize_embeddings=True)

    base = SentenceTransformer(str(base_model_path), device="cpu")
    base_state = {k: v.clone() for k, v in base[0].auto_model.state_dict().items()}
    tuned = vectors(SentenceTransformer(str(frozen_run.path), device="cpu"))
    assert not np.allclose(tuned, vectors(base), atol=1e-4)  # training did change the model
    for alpha, expected in ((0.0, vectors(base)), (1.0, tuned)):
        model = SentenceTransformer(str(frozen_run.path), device="cpu")
        interpolate(model, base_state, alpha)
        assert np.allclose(vectors(model), expected, atol=1e-5), alpha
    half = SentenceTransformer(str(frozen_run.path), device="cpu")
    interpolate(half, base_state, 0.5)
    assert not np.allclose(vectors(half), tuned, atol=1e-4)


@pytest.mark.parametrize("recipe", [r for r in RECIPES if r != "frozen"])
def test_a_short_run_of_each_recipe_writes_a_loadable_versioned_model(
        recipe, tmp_path, base_model_path) -> None:
    store = ModelStore(tmp_path / "models", str(base_model_path))
    result = train(_small_pairs(tmp_path, 24), store,
                   TrainConfig(recipe=recipe, max_steps=2, batch_size=8), promote=False)
    metrics = json.loads((result.path / "metrics.json").read_text())
    assert metrics["settings"]["recipe"] == recipe and metrics["data"]["augmented"] > 0
    assert set(metrics["held_out"]["by_style"]) and "worst_style" in metrics["held_out"]
    encoder = Encoder(result.path)
    assert encoder.version == result.version and result.version.startswith("ft-")
    assert encoder.encode("found", ["kalu wallet"]).shape == (1, 384)
    assert not list(result.path.glob("adapter_*"))  # LoRA adapters merged into plain weights

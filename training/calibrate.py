"""Fit a model's cosine -> 0-100 curve on held-out pairs, so that the tiers mean something.

For every held-out lost report we know its true found report (positive) and have impostors: its
hard negative and the other held-out found reports. The breakpoints are placed on those
distributions:
  60 (display)   where the true item is kept for ~92% of reports, or higher when that separates
                 true items from the best impostor better (Youden's J);
  85 (Excellent) above 99% of best impostors: an Excellent match is nearly always right;
  75 (Good)      half-way between; 40 at the median best impostor; 0 and 100 at the extremes.
"""

from __future__ import annotations

import numpy as np

from matcher.convert import PROMPTS
from matcher.scoring import Calibration
from training.augment import item_of
from training.pairs import Pair

EPS = 1e-3


def encode(model, texts: list[str], prompt: str) -> np.ndarray:
    return np.asarray(model.encode(texts, prompt=prompt, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False, batch_size=64))


def pair_cosines(model, pairs: list[Pair], pool: list[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each anchor with its positive, and with its best impostor: its hard negative,
    the held-out positives of other items, and `pool` (found reports of other items, e.g. the training
    split's), so that the impostors are as many as a real search faces."""
    anchors = encode(model, [p.anchor for p in pairs], PROMPTS["query"])
    positives = encode(model, [p.positive for p in pairs], PROMPTS["passage"])
    sims = anchors @ positives.T
    positive = np.diag(sims).copy()
    items = np.array([item_of(p) for p in pairs])
    sims[items[:, None] == items[None, :]] = -1.0  # re-tellings of the same item are no impostors
    impostor = sims.max(axis=1)
    negatives = [(i, p.negative) for i, p in enumerate(pairs) if p.negative]
    if negatives:
        hard = encode(model, [n for _, n in negatives], PROMPTS["passage"])
        for row, (i, _) in enumerate(negatives):
            impostor[i] = max(impostor[i], float(anchors[i] @ hard[row]))
    own = {p.positive for p in pairs}
    others = sorted({text for text in pool if text not in own})
    if others:
        impostor = np.maximum(impostor, (anchors @ encode(model, others, PROMPTS["passage"]).T)
                              .max(axis=1))
    return positive, impostor


def _display_cut(positive: np.ndarray, impostor: np.ndarray) -> float:
    """Best separating threshold that still keeps at least 90% of true items."""
    ceiling = float(np.quantile(positive, 0.10))
    candidates = np.unique(np.concatenate([positive, impostor]))
    candidates = candidates[candidates <= ceiling]
    if candidates.size == 0:
        return ceiling
    youden = [(positive >= t).mean() - (impostor >= t).mean() for t in candidates]
    best = float(candidates[int(np.argmax(youden))])
    return max(best, float(np.quantile(positive, 0.08)))


def expected_calibration_error(cal: Calibration, positive: np.ndarray, impostor: np.ndarray,
                               bins: int = 10) -> float:
    """ECE of score/100 read as the chance that a candidate is the true item."""
    confidence = np.concatenate([cal.semantic(positive), cal.semantic(impostor)]) / 100.0
    truth = np.concatenate([np.ones_like(positive), np.zeros_like(impostor)])
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (confidence >= lo) & ((confidence < hi) if hi < 1 else (confidence <= hi))
        if mask.any():
            ece += mask.mean() * abs(truth[mask].mean() - confidence[mask].mean())
    return float(ece)


def calibration_from_cosines(positive: np.ndarray, impostor: np.ndarray) -> Calibration:
    c60 = _display_cut(positive, impostor)
    c85 = max(float(np.quantile(impostor, 0.99)), c60 + 2 * EPS)
    c85 = min(c85, max(float(positive.max()), c60 + 2 * EPS))
    c75 = (c60 + c85) / 2
    c40 = min(float(np.median(impostor)), c60 - EPS)
    c0 = min(float(min(positive.min(), impostor.min())) - 0.05, c40 - EPS)
    c100 = max(float(positive.max()) + 0.01, c85 + EPS)
    points = [c0, c40, c60, c75, c85, c100]
    for i in range(1, len(points)):  # strictly increasing, whatever the data
        points[i] = max(points[i], points[i - 1] + EPS)
    return Calibration(tuple(round(p, 5) for p in points), (0.0, 40.0, 60.0, 75.0, 85.0, 100.0))


def fit_calibration(model, pairs: list[Pair], pool: list[str] = ()) -> tuple[Calibration, dict]:
    """The fitted curve and a report: ECE, and recall / impostor rates at the tier floors."""
    positive, impostor = pair_cosines(model, pairs, pool)
    cal = calibration_from_cosines(positive, impostor)
    cal = Calibration(cal.cosines, cal.scores, round(expected_calibration_error(cal, positive,
                                                                               impostor), 4))
    report = {"ece": cal.ece, "pairs": len(pairs), "impostor_pool": len(pool) + len(pairs),
              "positive_median_cosine": round(float(np.median(positive)), 4),
              "impostor_median_cosine": round(float(np.median(impostor)), 4)}
    for name, floor in (("display", 60.0), ("good", 75.0), ("excellent", 85.0)):
        report[f"recall_at_{name}"] = round(float((cal.semantic(positive) >= floor).mean()), 4)
        report[f"impostor_rate_at_{name}"] = round(float((cal.semantic(impostor) >= floor).mean()), 4)
    return cal, report


def recalibrate(model_path, pairs_path, held_out: float = 0.2, seed: int = 42) -> dict:
    """Refit an existing model's calibration.json and scorer.json on the same held-out split
    training used."""
    from pathlib import Path

    from sentence_transformers import SentenceTransformer

    from training.augment import voice_split
    from training.pairs import load_pairs

    train_pairs, test_pairs = voice_split(load_pairs(Path(pairs_path)), held_out, seed)
    model = SentenceTransformer(str(model_path), device="cpu")
    pool = [p.positive for p in train_pairs] + [p.negative for p in train_pairs if p.negative]
    calibration, report = fit_calibration(model, test_pairs, pool)
    calibration.save(Path(model_path) / "calibration.json")
    from matcher.encoder import model_version_of
    from training.scorer_fit import fit_scorer, st_encoder

    scorer = fit_scorer(st_encoder(model), test_pairs, model_version_of(Path(model_path)), pool,
                        seed)
    scorer.save(Path(model_path))
    report["scorer"] = scorer.report.get("grouped_cv")
    return report

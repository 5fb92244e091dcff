"""Which pairs to fit the base model's match scorer on, judged on the same hand-written lists.

Both candidates are fitted per fold (5 folds by item, so no item nor a re-telling of it sits on
both sides) and judged out of fold on the lists built from the hand-written pairs alone
(`training/scorer_fit.build_rows`), so that the figures compare:
- "seed": the 427 hand-written pairs of one author;
- "seed+aug": the same plus 2 re-tellings of each in every voice of `training/augment.py`.

    .venv/bin/python scripts/compare_scorers.py [--cache /tmp/vectors.npz]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

KEYS = ("full_top1", "precision_at_excellent", "precision_at_display", "recall_at_display",
        "heldout_shown_at_60", "heldout_notified_at_75")


def main() -> int:
    from sentence_transformers import SentenceTransformer

    from training.augment import HELD_OUT_VOICES, TRAIN_VOICES, augment
    from training.pairs import load_pairs
    from training.scorer_fit import (
        C_GRID,
        _fit_lr,
        _folds,
        _matrix,
        build_rows,
        cached,
        calibration_report,
        feature_names,
        list_weights,
        st_encoder,
    )

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="data/models/base-e5-small")
    parser.add_argument("--pairs", type=Path, default=Path("data/text_pairs.json"))
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()
    model = SentenceTransformer(args.model, device="cpu")
    model.max_seq_length = 128
    encode = st_encoder(model)
    if args.cache:
        encode = cached(encode, args.cache)
    seed = load_pairs(args.pairs)
    judged, background = build_rows(encode, seed)
    candidates = {"seed": judged, "seed+aug": build_rows(
        encode, seed + augment(seed, TRAIN_VOICES + HELD_OUT_VOICES, 2), background=background)[0]}
    names = feature_names(judged.features)
    groups = np.asarray(judged.groups)
    masks = _folds(groups, 5, 42)
    print("| fitted on | C | " + " | ".join(KEYS) + " |")
    for label, rows in candidates.items():
        x, y, w = _matrix(rows.features, names), np.asarray(rows.labels), list_weights(rows)
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale < 1e-6] = 1.0
        xj = (_matrix(judged.features, names) - mean) / scale
        own = np.asarray(rows.groups)  # the items are numbered alike: the seed pairs come first
        for c in C_GRID[1:4]:
            out = np.zeros(len(judged.labels))
            for mask in masks:
                train = ~np.isin(own, np.unique(groups[mask]))
                fitted = _fit_lr((x[train] - mean) / scale, y[train], c, w[train])
                out[mask] = fitted.predict_proba(xj[mask])[:, 1]
            report = calibration_report(judged, out)
            print(f"| {label} | {c} | " + " | ".join(f"{report[k]:.3f}" for k in KEYS) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

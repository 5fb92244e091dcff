"""Compare fine-tuning recipes on the voice-held-out split (never on data/eval).

    python scripts/compare_recipes.py --recipe frozen --max-steps 16 --lr 1e-4 --out F.jsonl
    python scripts/compare_recipes.py --recipe base --out F.jsonl        # the base model's row

Each recipe is trained by `training.train.fit` (the same steps `hoyamu train` runs, without the
calibration, gate and save) on the training side of `training.augment.voice_split`; the frozen
and gist runs are then scored at several alphas by interpolating their weights toward the base
model's (`training.train.interpolate`), which is exactly what the `*wise-ft` recipes do at the
end of training. Appends one JSON line per (recipe, alpha): overall and per-style top-1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    import torch
    from sentence_transformers import SentenceTransformer

    from matcher.store import ModelStore
    from training.augment import voice_split
    from training.pairs import load_pairs
    from training.train import TrainConfig, fit, held_out_scores, interpolate

    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=Path, default=ROOT / "data" / "text_pairs.json")
    parser.add_argument("--recipe", required=True, help="base | frozen | gist | lora")
    parser.add_argument("--alphas", default="0.3,0.5,0.7")
    parser.add_argument("--max-steps", type=int, default=16)
    parser.add_argument("--lr", type=float, default=TrainConfig.learning_rate)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)

    base_path = ModelStore(ROOT / "data" / "models", "bundled").base_path()
    config = TrainConfig(recipe=args.recipe if args.recipe != "base" else "frozen",
                         max_steps=args.max_steps, learning_rate=args.lr)
    train, test = voice_split(load_pairs(args.pairs), config.held_out, config.seed,
                              config.augment_per_pair)

    def load():
        model = SentenceTransformer(str(base_path), device="cpu")
        model.max_seq_length = config.max_seq_length
        return model

    def record(recipe: str, alpha: float | None, scores: dict, seconds: float | None) -> None:
        row = {"recipe": recipe, "alpha": alpha, "steps": args.max_steps, "lr": args.lr,
               "top1": scores["top1"], "mrr10": scores["mrr10"],
               "by_style": {k: v["top1"] for k, v in scores["by_style"].items()},
               "n": {k: v["n"] for k, v in scores["by_style"].items()},
               "worst": scores["worst_style"], "train_seconds": seconds}
        print(json.dumps(row), flush=True)
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")

    model = load()
    if args.recipe == "base":
        record("base", None, held_out_scores(model, test), None)
        return 0
    base_state = {k: v.detach().clone() for k, v in model[0].auto_model.state_dict().items()}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hoyamu-recipes-") as tmp:
        fit(model, train, test, config, base_path, Path(tmp), evaluate=False)
    seconds = round(time.perf_counter() - started, 1)
    record(args.recipe, 1.0, held_out_scores(model, test), seconds)
    if args.recipe in ("frozen", "gist"):
        tuned = {k: v.detach().clone() for k, v in model[0].auto_model.state_dict().items()}
        for alpha in [float(a) for a in args.alphas.split(",")]:
            model[0].auto_model.load_state_dict(tuned)
            interpolate(model, base_state, alpha)
            record(args.recipe + "-wise-ft", alpha, held_out_scores(model, test), None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

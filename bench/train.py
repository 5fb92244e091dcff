"""Fine-tuning time and peak memory: `training.train.train` over the shipped pairs.

Runs in a fresh process against a temporary model store whose base is the converted base model,
so data/models (CURRENT, trained versions) is never touched. Same configuration as `hoyamu train`
(10 epochs, batch 16, 96 tokens, token embeddings frozen), without folding feedback.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.common import PY, Row, peak_rss_mb, run_json

ROOT = Path(__file__).resolve().parent.parent


def worker(epochs: int, max_steps: int) -> dict:
    from matcher.store import ModelStore
    from training.pairs import load_pairs
    from training.train import TrainConfig, train

    base = ModelStore(ROOT / "data" / "models", "bundled").base_path()
    pairs_path = ROOT / "data" / "text_pairs.json"
    with tempfile.TemporaryDirectory(prefix="hoyamu-train-") as tmp:
        store = ModelStore(Path(tmp) / "models", str(base))
        config = TrainConfig(epochs=epochs, max_steps=max_steps)
        started = time.perf_counter()
        result = train(pairs_path, store, config, promote=False)
        seconds = time.perf_counter() - started
    return {"epochs": epochs, "max_steps": max_steps, "seconds": round(seconds, 1),
            "pairs": len(load_pairs(pairs_path)), "before_top1": result.before.get("top1"),
            "after_top1": result.after.get("top1"), "history": result.history,
            "peak_rss_mb": peak_rss_mb()}


def run(epochs: int, max_steps: int) -> list[Row]:
    args = ["-m", "bench.train", "--worker", "--epochs", str(epochs), "--max-steps",
            str(max_steps)]
    r = run_json(args)
    print(f"  training: {r['seconds']} s, peak RSS {r['peak_rss_mb']} MB", flush=True)
    what = (f"fine-tuning, {epochs} epochs over the shipped pairs ({r['pairs']} pairs, 80% "
            "trained)" if max_steps <= 0 else f"fine-tuning, {max_steps} steps (quick mode)")
    return [
        Row("train", what,
            f"{r['seconds']} s including evaluation each epoch, calibration and save "
            f"(held-out top-1 {r['before_top1']:.3f} -> {r['after_top1']:.3f})",
            f"{PY} -m bench train --epochs {epochs}"
            + (f" --max-steps {max_steps}" if max_steps > 0 else ""), data=r),
        Row("memory", "training peak RSS", f"{r['peak_rss_mb']:.0f} MB",
            f"{PY} -m bench train --epochs {epochs}", data={"peak_rss_mb": r["peak_rss_mb"]}),
    ]


def main(argv: list[str] | None = None) -> list[Row] | None:
    parser = argparse.ArgumentParser(prog="python -m bench train")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--max-steps", type=int, default=-1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.epochs, args.max_steps)))
        return None
    return run(args.epochs, args.max_steps)


if __name__ == "__main__":
    main()

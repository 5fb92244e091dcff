"""Training in its own process: `python -m training.worker ...` prints one JSON line per event.

    {"event": "epoch", "epoch": 1, "epochs": 2, "loss": ..., "top1": ..., "mrr": ...}
    {"event": "done", "version": ..., "promoted": ..., "passed": ..., "before": {...}, ...}
    {"event": "error", "message": ...}

The bot reads these lines to edit its progress message; the serving process is never blocked.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def emit(event: dict) -> None:
    print(json.dumps(event), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.worker")
    parser.add_argument("--pairs", type=Path, nargs="+", required=True,
                        help="pairs files: the seed, then the folded feedback")
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument("--base-model", default="bundled")
    parser.add_argument("--epochs", type=int, help="default: TrainConfig.epochs")
    parser.add_argument("--max-steps", type=int, default=-1)
    parser.add_argument("--no-promote", action="store_true", help="mark as candidate only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    from matcher.store import ModelStore
    from training.pairs import PairsError
    from training.train import TrainConfig, TrainingError, train

    store = ModelStore(args.models_dir, args.base_model)
    config = TrainConfig(max_steps=args.max_steps)
    if args.epochs:
        config.epochs = args.epochs
    try:
        result = train(args.pairs, store, config, promote=not args.no_promote,
                       progress=lambda report: emit({"event": "epoch", **asdict(report)}))
    except PairsError as exc:  # which file and entry, so the admin can fix it
        emit({"event": "error", "message": str(exc), "file": exc.file, "index": exc.index,
              "reason": exc.reason})
        return 1
    except (TrainingError, OSError, MemoryError) as exc:
        emit({"event": "error", "message": str(exc)})
        return 1
    emit({"event": "done", "version": result.version, "promoted": result.promoted,
          "passed": result.passed, "reason": result.reason, "before": result.before,
          "after": result.after, "base": result.base,
          "canaries": {k: result.canaries.get(k) for k in ("checked", "failed")},
          "seconds": round(result.seconds, 1)})
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Retraining for a running bot: fold feedback, train in a separate process, then hot-swap.

Only one run at a time. A failed run reports why and changes nothing: the worker writes into a
temporary folder and only a finished, gated model is ever promoted (or made the A/B candidate).
The gate in `training/train.py` decides and writes `data/models`; this process then follows it
(`ModelOps.follow_store`), as every other process sharing `data/models` does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from hoyamu.modelops import ModelOps
from training.pairs import PairsError, load_all_pairs

log = logging.getLogger(__name__)
Progress = Callable[[dict], Awaitable[None]]
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TrainJob:
    """What the training worker is told, and when retraining is due (plain values from the
    settings, built in core.py)."""

    pairs_paths: tuple[Path, ...]  # the seed pairs, then the folded feedback pairs
    models_dir: Path
    base_model: str
    epochs: int
    max_steps: int
    candidate_only: bool  # AB_FRACTION > 0: a gated model becomes the A/B candidate
    after_pairs: int = 0  # RETRAIN_AFTER_PAIRS (0 = off)
    every_days: int = 0  # RETRAIN_EVERY_DAYS (0 = off)


class AlreadyRunning(RuntimeError):
    pass


def pairs_error_event(exc: PairsError) -> dict:
    """The final event of a run stopped by a malformed pairs file: which entry, and why."""
    return {"event": "error", "message": str(exc), "file": exc.file, "index": exc.index,
            "reason": exc.reason}


class Retrainer:
    def __init__(self, ops: ModelOps, job: TrainJob,
                 fold: Callable[[], Awaitable[int]]) -> None:
        self.ops = ops
        self.job = job
        self.fold = fold
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def _command(self) -> list[str]:
        job = self.job
        command = [sys.executable, "-m", "training.worker", "--pairs",
                   *(str(Path(path).resolve()) for path in job.pairs_paths), "--models-dir",
                   str(Path(job.models_dir).resolve()), "--base-model",
                   job.base_model, "--epochs", str(job.epochs),
                   "--max-steps", str(job.max_steps)]
        if job.candidate_only:
            command.append("--no-promote")
        return command

    def due(self) -> str | None:
        """Why a retraining is due now (RETRAIN_AFTER_PAIRS new pairs since the serving model
        was trained, or RETRAIN_EVERY_DAYS days), or None. Reads the pairs file as folded."""
        job, store = self.job, self.ops.store
        version = self.ops.serving.runtime.version
        pairs = load_all_pairs([p for p in job.pairs_paths if Path(p).exists()])
        trained_on = store.metrics(version).get("data", {}).get("pairs") or sum(
            p.source == "seed" for p in pairs)
        if job.after_pairs > 0 and len(pairs) - trained_on >= job.after_pairs:
            return f"{len(pairs) - trained_on} new pairs"
        folder = store.dir / version
        age = time.time() - (folder.stat().st_mtime if folder.exists() else 0)
        if job.every_days > 0 and age >= job.every_days * 86400:
            return f"model {age / 86400:.1f} days old"
        return None

    async def run(self, progress: Progress, only_if_due: bool = False) -> dict | None:
        """Fold, train, and serve what the gate decided; returns the final event (None when
        `only_if_due` and retraining is not due)."""
        if self._running:
            raise AlreadyRunning("a retraining is already running")
        self._running = True
        try:
            try:
                folded = await self.fold()
            except PairsError as exc:  # a hand-edited file: the admin is told which entry
                log.warning("feedback not folded: %s", exc)
                return pairs_error_event(exc)
            if only_if_due:
                reason = await asyncio.to_thread(self.due)
                if reason is None:
                    return None
                log.info("automatic retraining: %s", reason)
            await progress({"event": "folded", "pairs": folded})
            final = await self._train(progress)
            if final.get("event") == "done" and final.get("passed"):
                await self.ops.follow_store()
            return final
        finally:
            self._running = False

    async def _train(self, progress: Progress) -> dict:
        process = await asyncio.create_subprocess_exec(
            *self._command(), cwd=str(ROOT), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=dict(os.environ, HF_HUB_OFFLINE="1"))
        final: dict = {"event": "error", "message": "training stopped without a result"}
        stderr_task = asyncio.create_task(process.stderr.read())
        async for raw in process.stdout:
            try:
                event = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if event.get("event") == "epoch":
                await progress(event)
            else:
                final = event
        code = await process.wait()
        errors = (await stderr_task).decode(errors="replace").strip().splitlines()
        if code != 0 and final.get("event") != "error":
            final = {"event": "error", "message": errors[-1] if errors else f"exit code {code}"}
        if final["event"] == "error":
            log.warning("retraining failed: %s", final["message"])
        return final

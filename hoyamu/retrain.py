"""Retraining for a running bot: fold feedback, train in a separate process, then hot-swap.

Only one run at a time. A failed run reports why and changes nothing: the worker writes into a
temporary folder and only a finished, gated model is ever promoted (or made the A/B candidate).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from hoyamu.modelops import ModelOps

log = logging.getLogger(__name__)
Progress = Callable[[dict], Awaitable[None]]
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TrainJob:
    """What the training worker is told (plain values from the settings, built in core.py)."""

    pairs_path: Path
    models_dir: Path
    base_model: str
    epochs: int
    max_steps: int
    candidate_only: bool  # AB_FRACTION > 0: a gated model becomes the A/B candidate


class AlreadyRunning(RuntimeError):
    pass


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
                   str(Path(job.pairs_path).resolve()), "--models-dir",
                   str(Path(job.models_dir).resolve()), "--base-model",
                   job.base_model, "--epochs", str(job.epochs),
                   "--max-steps", str(job.max_steps)]
        if job.candidate_only:
            command.append("--no-promote")
        return command

    async def run(self, progress: Progress) -> dict:
        """Fold, train, and promote (or set as candidate); returns the final event."""
        if self._running:
            raise AlreadyRunning("a retraining is already running")
        self._running = True
        try:
            folded = await self.fold()
            await progress({"event": "folded", "pairs": folded})
            final = await self._train(progress)
            if final.get("event") == "done" and final.get("passed"):
                if final.get("promoted"):
                    await self.ops.promote(final["version"])
                else:
                    await self.ops.set_candidate(final["version"])
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

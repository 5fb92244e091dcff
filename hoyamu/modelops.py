"""Model operations on a running process: switch models (hot swap), A/B candidate, roll-back.

Which model serves is written in one place, `data/models` (`matcher/store.py:ModelStore`:
CURRENT, PREVIOUS, CANDIDATE). The training gate (`training/train.py`) decides whether a new
model is promoted and writes CURRENT; admins' /promote and /rollback write it here. Every process
then follows the store (`follow_store`, after a retraining and on each index refresh), so this
process and the others learn of a new model the same way.

A new model's index is built in the background (re-encoding open items with the new model)
while searches keep using the old one; then `Serving.install` catches the index up with reports
that arrived meanwhile and swaps the runtime reference in one step, under the index lock. One
switch at a time: a second request for the model already serving changes nothing.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import async_sessionmaker

from hoyamu.runtime import Runtime, ServingConfig, load_runtime
from hoyamu.serving import Serving
from hoyamu.validation import InvalidInput
from matcher.store import ModelStore

log = logging.getLogger(__name__)


class ModelOps:
    def __init__(self, store: ModelStore, serving: Serving, sessions: async_sessionmaker,
                 config: ServingConfig) -> None:
        self.store = store
        self.serving = serving
        self.sessions = sessions
        self.config = config
        self._switch_lock = asyncio.Lock()  # one model switch at a time in this process

    async def load(self, version: str) -> Runtime:
        """Load a model and build its index, off the event loop; nothing changes yet."""
        path = self.store.path_of(version)
        encoder = await asyncio.to_thread(self.config.encoder, path)
        return await load_runtime(path, self.sessions, self.config, encoder=encoder)

    async def _serve(self, version: str) -> Runtime:
        """Serve `version` (already named CURRENT); call with the switch lock held."""
        if self.serving.runtime.version == version:
            return self.serving.runtime
        candidate = self.serving.candidate
        runtime = candidate if candidate and candidate.version == version else await self.load(version)
        old, changed = await self.serving.install(runtime)
        await asyncio.to_thread(runtime.save_index)
        log.info("now serving %s (was %s; %d items caught up)", version,
                 old.version if old else None, changed)
        return runtime

    async def promote(self, version: str) -> Runtime:
        """Make `version` the serving model without a restart (admin /promote, /rollback)."""
        async with self._switch_lock:
            await asyncio.to_thread(self.store.set_current, version)
            if self.store.candidate_version() == version:
                await asyncio.to_thread(self.store.set_candidate, None)
            return await self._serve(version)

    async def follow_store(self) -> bool:
        """Serve the models `data/models` names now (a training run or another process changed
        CURRENT or CANDIDATE); returns whether anything changed."""
        async with self._switch_lock:
            current = await asyncio.to_thread(self.store.current_version)
            candidate = await asyncio.to_thread(self.store.candidate_version)
            changed = False
            if current != self.serving.runtime.version:
                log.info("data/models names %s; switching from %s", current,
                         self.serving.runtime.version)
                await self._serve(current)
                changed = True
            serving_candidate = self.serving.candidate.version if self.serving.candidate else None
            if (self.serving.ab_fraction > 0 and candidate and candidate != current
                    and candidate != serving_candidate):
                await self.serving.install(await self.load(candidate), candidate=True)
                changed = True
            return changed

    async def set_candidate(self, version: str) -> Runtime:
        """Serve AB_FRACTION of searches with `version`; only models that passed the gate."""
        if not self.store.metrics(version).get("gate_passed"):
            raise InvalidInput("not_gated", f"{version} did not pass the training gate.")
        async with self._switch_lock:
            runtime = await self.load(version)
            await self.serving.install(runtime, candidate=True)
            await asyncio.to_thread(self.store.set_candidate, version)
            return runtime

    async def promote_candidate(self) -> Runtime:
        version = self.store.candidate_version()
        if version is None:
            raise InvalidInput("no_candidate", "There is no candidate model.")
        return await self.promote(version)

    async def rollback(self) -> Runtime:
        """Serve the previous model again."""
        previous = self.store.previous_version()
        if previous is None or previous == self.serving.runtime.version:
            raise InvalidInput("no_previous", "There is no previous model to return to.")
        return await self.promote(previous)

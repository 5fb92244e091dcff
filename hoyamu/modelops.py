"""Model operations on a running process: promote (hot swap), A/B candidate, roll-back.

A new model's index is built in the background (re-encoding open items with the new model)
while searches keep using the old one; then `Serving.install` catches the index up with reports
that arrived meanwhile and swaps the runtime reference in one step, under the index lock.
"""

from __future__ import annotations

import asyncio
import json
import logging

from sqlalchemy.ext.asyncio import async_sessionmaker

from hoyamu.runtime import Runtime, ServingConfig, load_runtime
from hoyamu.serving import Serving
from hoyamu.validation import InvalidInput
from matcher.store import ModelStore
from storage.models import ModelVersion

log = logging.getLogger(__name__)


class ModelOps:
    def __init__(self, store: ModelStore, serving: Serving, sessions: async_sessionmaker,
                 config: ServingConfig) -> None:
        self.store = store
        self.serving = serving
        self.sessions = sessions
        self.config = config

    async def load(self, version: str) -> Runtime:
        """Load a model and build its index, off the event loop; nothing changes yet."""
        path = self.store.path_of(version)
        encoder = await asyncio.to_thread(self.config.encoder, path)
        return await load_runtime(path, self.sessions, self.config, encoder=encoder)

    async def _record(self, version: str, status: str) -> None:
        metrics = self.store.metrics(version)
        async with self.sessions() as session, session.begin():
            row = await session.get(ModelVersion, version)
            if row is None:
                row = ModelVersion(version=version, path=str(self.store.path_of(version)))
                session.add(row)
            row.status = status
            row.metrics = json.dumps(metrics.get("held_out", {}))

    async def promote(self, version: str) -> Runtime:
        """Make `version` the serving model without a restart."""
        candidate = self.serving.candidate
        runtime = candidate if candidate and candidate.version == version else await self.load(version)
        old, changed = await self.serving.install(runtime)
        await asyncio.to_thread(self.store.set_current, version)
        if self.store.candidate_version() == version:
            self.store.set_candidate(None)
        await asyncio.to_thread(runtime.save_index)
        await self._record(version, "current")
        if old.version != version:
            await self._record(old.version, "previous")
        log.info("now serving %s (was %s; %d items caught up)", version, old.version, changed)
        return runtime

    async def set_candidate(self, version: str) -> Runtime:
        """Serve AB_FRACTION of searches with `version`; only models that passed the gate."""
        if not self.store.metrics(version).get("gate_passed"):
            raise InvalidInput("not_gated", f"{version} did not pass the training gate.")
        runtime = await self.load(version)
        await self.serving.install(runtime, candidate=True)
        await asyncio.to_thread(self.store.set_candidate, version)
        await self._record(version, "candidate")
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

"""The models this process serves: the current one, an optional A/B candidate, and the one lock
under which their indices change.

Every index write (a new report, a catch-up, a closed item, a model switch) goes through this
object, so nobody outside reaches for the lock: a report's add and a swap's final catch-up never
interleave, and a report stored during a promotion is never dropped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random

import numpy as np
from sqlalchemy.ext.asyncio import async_sessionmaker

from hoyamu.runtime import Runtime, catch_up, open_ids, rebuild_index
from storage.models import Item

log = logging.getLogger(__name__)


class Serving:
    def __init__(self, sessions: async_sessionmaker, runtime: Runtime,
                 ab_fraction: float = 0.0) -> None:
        self.sessions = sessions
        self.runtime = runtime  # the current model; replaced whole on promotion (hot swap)
        self.candidate: Runtime | None = None  # A/B: gets AB_FRACTION of the searches
        self.ab_fraction = ab_fraction
        self._index_lock = asyncio.Lock()  # index writes vs. a swap's final catch-up

    def runtimes(self) -> list[Runtime]:
        return [self.runtime] + ([self.candidate] if self.candidate else [])

    def pick_runtime(self) -> Runtime:
        """The model for one search: the candidate for AB_FRACTION of them, else the current."""
        if self.candidate is not None and random.random() < self.ab_fraction:
            return self.candidate
        return self.runtime

    async def add(self, kind: str, item_id: int, runtimes: list[Runtime],
                  vectors: list[np.ndarray]) -> None:
        """Add one stored item to these models' indices (its vector for each, in order)."""
        async with self._index_lock:
            for runtime, vector in zip(runtimes, vectors, strict=True):
                runtime.index.add(kind, [item_id], vector[None, :])

    def forget(self, items: list[Item]) -> None:
        """Drop closed items from every live index."""
        for runtime in self.runtimes():
            for item in items:
                runtime.index.remove(item.kind, [item.id])

    async def refresh_index(self, runtimes: list[Runtime] | None = None,
                            since: dt.datetime | None = None) -> int:
        """Catch every live index up with the database: reports that other processes sharing
        it stored or closed (only those created since `since`, when given). Returns the number
        of items added or removed."""
        changes = 0
        for runtime in runtimes or self.runtimes():
            async with self._index_lock:  # a report's index add waits: nothing is dropped
                changes += await catch_up(runtime, self.sessions, since)
        return changes

    async def reindex(self) -> int:
        """Rebuild the current model's index from the database and save it."""
        runtime = self.runtime
        runtime.index = await rebuild_index(runtime.encoder, self.sessions,
                                            await open_ids(self.sessions), runtime.index.flat_max)
        runtime.save_index()
        return runtime.index.size()

    async def install(self, runtime: Runtime,
                      candidate: bool = False) -> tuple[Runtime | None, int]:
        """Catch `runtime` up with the database and make it the current model (or the A/B
        candidate) in one step under the index lock; returns the model it replaced and the
        number of items the catch-up changed."""
        async with self._index_lock:
            changed = await catch_up(runtime, self.sessions)
            if candidate:
                old, self.candidate = self.candidate, runtime
                return old, changed
            old, self.runtime = self.runtime, runtime
            if self.candidate is not None and self.candidate.version == runtime.version:
                self.candidate = None
        return old, changed

"""Wiring: settings -> database -> model -> index -> service. Used by the bot, CLI and API."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from hoyamu.runtime import load_runtime
from hoyamu.service import HoyamuService
from hoyamu.settings import Settings
from matcher.encoder import Encoder
from matcher.store import ModelStore
from storage.db import make_engine, make_sessionmaker, migrate

log = logging.getLogger(__name__)


@dataclass
class Core:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker
    store: ModelStore
    service: HoyamuService

    async def close(self) -> None:
        """Save the index cache and release the database."""
        runtime = self.service.runtime
        try:
            runtime.save_index()
        except OSError:
            log.warning("could not save the index cache", exc_info=True)
        runtime.encoder.close()
        await self.engine.dispose()


async def start_core(settings: Settings, encoder: Encoder | None = None) -> Core:
    """Migrate the database, load the current model and an index consistent with the database.

    `encoder` lets tests share one loaded model across many cores."""
    engine = make_engine(settings.database_url)
    await migrate(engine)
    sessions = make_sessionmaker(engine)
    store = ModelStore(settings.models_dir, settings.base_model, settings.max_seq_length)
    runtime = await load_runtime(store.current_path(), sessions, settings.index_dir,
                                 settings.max_seq_length, encoder=encoder)
    service = HoyamuService(settings, sessions, runtime)
    candidate = store.candidate_version()
    if candidate and settings.ab_fraction > 0:
        service.candidate = await load_runtime(store.path_of(candidate), sessions,
                                               settings.index_dir, settings.max_seq_length)
    return Core(settings, engine, sessions, store, service)

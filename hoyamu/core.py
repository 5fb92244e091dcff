"""The composition root: settings -> database -> model -> index -> services.

This is the one place that reads the settings object and builds everything the bot, the CLI and
the API use; the libraries below (`matcher/`, `training/`, `storage/`) get plain values.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from hoyamu.claims import ClaimService
from hoyamu.feedback import FeedbackService
from hoyamu.items import ItemService
from hoyamu.modelops import ModelOps
from hoyamu.reports import ReportService
from hoyamu.retrain import Retrainer, TrainJob
from hoyamu.runtime import ServingConfig, load_runtime
from hoyamu.serving import Serving
from hoyamu.settings import Settings
from hoyamu.stats import StatsService
from hoyamu.users import UserService
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
    serving: Serving  # the live models and their indices
    users: UserService
    items: ItemService
    reports: ReportService
    feedback: FeedbackService
    stats: StatsService
    claims: ClaimService
    modelops: ModelOps
    retrainer: Retrainer

    async def close(self) -> None:
        """Save the index cache and release the database."""
        runtime = self.serving.runtime
        try:
            runtime.save_index()
        except OSError:
            log.warning("could not save the index cache", exc_info=True)
        runtime.encoder.close()
        await self.engine.dispose()


def serving_config(settings: Settings) -> ServingConfig:
    return ServingConfig(index_root=settings.index_dir, max_seq_length=settings.max_seq_length,
                         backend=settings.encoder_backend, threads=settings.encode_threads,
                         flat_max=settings.index_flat_max)


def model_store(settings: Settings) -> ModelStore:
    return ModelStore(settings.models_dir, settings.base_model, settings.max_seq_length)


async def start_core(settings: Settings, encoder: Encoder | None = None) -> Core:
    """Migrate the database, load the current model and an index consistent with the database.

    `encoder` lets tests share one loaded model across many cores."""
    engine = make_engine(settings.database_url)
    await migrate(engine)
    sessions = make_sessionmaker(engine)
    store = model_store(settings)
    config = serving_config(settings)
    runtime = await load_runtime(store.current_path(), sessions, config, encoder=encoder)
    serving = Serving(sessions, runtime, settings.ab_fraction)
    candidate = store.candidate_version()
    if candidate and settings.ab_fraction > 0:
        serving.candidate = await load_runtime(store.path_of(candidate), sessions, config)
    users = UserService(settings, sessions)
    items = ItemService(settings, sessions, serving)
    feedback = FeedbackService(settings, sessions, serving, items)
    modelops = ModelOps(store, serving, sessions, config)
    job = TrainJob(pairs_paths=(settings.text_pairs_path, settings.feedback_pairs_path),
                   models_dir=settings.models_dir, base_model=settings.base_model,
                   epochs=settings.retrain_epochs,
                   max_steps=settings.retrain_max_steps, candidate_only=settings.ab_fraction > 0,
                   after_pairs=settings.retrain_after_pairs,
                   every_days=settings.retrain_every_days)
    return Core(
        settings, engine, sessions, store, serving, users=users, items=items,
        reports=ReportService(settings, sessions, serving, users), feedback=feedback,
        stats=StatsService(sessions, serving), claims=ClaimService(settings, sessions, serving),
        modelops=modelops, retrainer=Retrainer(modelops, job, feedback.fold))

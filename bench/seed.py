"""A temporary Hoyamu database filled with open reports and their stored embeddings."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from sqlalchemy import insert

from bench.items import Report
from storage.db import make_engine, migrate
from storage.models import Embedding, Item, Status, utcnow

CHUNK = 10_000


async def seed(database_url: str, version: str, lost: list[Report], lost_vectors: np.ndarray,
               found: list[Report], found_vectors: np.ndarray) -> float:
    """Migrate, then insert the reports (open, no owner) with their vectors; returns seconds."""
    from matcher.lexicon import language_style

    started = time.perf_counter()
    engine = make_engine(database_url)
    await migrate(engine)
    now = utcnow()
    expires = now + dt.timedelta(days=60)
    next_id = 1
    async with engine.begin() as conn:
        for kind, reports, vectors in (("lost", lost, lost_vectors),
                                       ("found", found, found_vectors)):
            for start in range(0, len(reports), CHUNK):
                chunk = reports[start:start + CHUNK]
                ids = range(next_id, next_id + len(chunk))
                await conn.execute(insert(Item.__table__), [
                    {"id": i, "kind": kind, "text": r.text, "category": r.category,
                     "language": language_style(r.text) if len(reports) <= 20_000 else r.style,
                     "sensitive": False, "status": Status.OPEN, "created_at": now,
                     "updated_at": now, "expires_at": expires}
                    for i, r in zip(ids, chunk, strict=True)])
                block = np.ascontiguousarray(vectors[start:start + len(chunk)], dtype=np.float32)
                await conn.execute(insert(Embedding.__table__), [
                    {"item_id": i, "model_version": version, "vector": block[j].tobytes()}
                    for j, i in enumerate(ids)])
                next_id += len(chunk)
    await engine.dispose()
    return time.perf_counter() - started

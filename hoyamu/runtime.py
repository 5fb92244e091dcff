"""One serving model: its encoder, calibration and the index of open items it built.

`load_runtime` is the single place where the index meets the database: at start-up (and after a
promotion) the saved index is used only if it was built by this model and holds exactly the open
items; otherwise it is rebuilt from the stored embeddings, encoding only items that have none.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from matcher.encoder import Encoder
from matcher.index import DEFAULT_FLAT_MAX, KINDS, VectorIndex
from matcher.ranking import Ranking
from matcher.scorer import Scorer, load_scorer
from matcher.scoring import Calibration
from storage.db import insert_missing
from storage.models import Embedding, Item, Status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServingConfig:
    """How this process serves a model: plain values, built from the settings in core.py."""

    index_root: Path
    max_seq_length: int = 128
    backend: str = "onnx"  # ENCODER_BACKEND
    threads: int = 0  # ENCODE_THREADS
    flat_max: int = DEFAULT_FLAT_MAX  # INDEX_FLAT_MAX

    def encoder(self, model_path: Path) -> Encoder:
        return Encoder(model_path, max_seq_length=self.max_seq_length, backend=self.backend,
                       threads=self.threads)


@dataclass
class Runtime:
    encoder: Encoder
    index: VectorIndex
    calibration: Calibration
    index_dir: Path
    scorer: Scorer | None = None  # the learned match scorer; None = the blend (curve) only

    @property
    def version(self) -> str:
        return self.encoder.version

    def ranking(self, weights: tuple[float, float, float], mode: str) -> Ranking:
        """This model's ranking path with the SCORING setting and the blend weights."""
        return Ranking(self.calibration, weights, self.scorer, mode)

    def save_index(self) -> None:
        self.index.save(self.index_dir)


async def open_ids(sessions: async_sessionmaker,
                   since: dt.datetime | None = None) -> dict[str, set[int]]:
    """Ids of open items per kind (only those created at or after `since`, when given)."""
    query = select(Item.id, Item.kind).where(Item.status == Status.OPEN)
    if since is not None:
        query = query.where(Item.created_at >= since)
    async with sessions() as session:
        rows = await session.execute(query)
        ids: dict[str, set[int]] = {kind: set() for kind in KINDS}
        for item_id, kind in rows:
            ids[kind].add(item_id)
        return ids


async def stored_vectors(encoder: Encoder, sessions: async_sessionmaker, kind: str,
                         ids: set[int]) -> dict[int, np.ndarray]:
    """Vectors of these items for this model: stored ones, plus newly encoded (and stored)."""
    wanted = sorted(ids)
    async with sessions() as session:
        rows = await session.execute(select(Embedding.item_id, Embedding.vector).where(
            Embedding.model_version == encoder.version, Embedding.item_id.in_(wanted)))
        vectors = {item_id: np.frombuffer(blob, dtype=np.float32) for item_id, blob in rows}
        missing = [i for i in wanted if i not in vectors]
        texts = dict(tuple(row) for row in await session.execute(
            select(Item.id, Item.text).where(Item.id.in_(missing)))) if missing else {}
    if missing:
        fresh = await encoder.encode_many_async(kind, [texts[i] for i in missing])
        # another process (or a catch-up) may store the same item's vector for this model at the
        # same time: the same model gives the same vector, so the first one stays
        async with sessions() as session, session.begin():
            await insert_missing(session, Embedding, [
                dict(item_id=item_id, model_version=encoder.version, vector=vector.tobytes())
                for item_id, vector in zip(missing, fresh, strict=True)],
                [Embedding.item_id, Embedding.model_version])
        vectors.update(zip(missing, fresh, strict=True))
        log.info("encoded %d %s items with %s", len(missing), kind, encoder.version)
    return vectors


def _add(index: VectorIndex, kind: str, vectors: dict[int, np.ndarray]) -> None:
    if vectors:
        order = sorted(vectors)
        index.add(kind, order, np.stack([vectors[i] for i in order]))


async def rebuild_index(encoder: Encoder, sessions: async_sessionmaker,
                        ids: dict[str, set[int]], flat_max: int = DEFAULT_FLAT_MAX) -> VectorIndex:
    """Build the index from stored embeddings; encode (and store) only the missing ones."""
    index = VectorIndex(encoder.dim, encoder.version, flat_max)
    for kind in KINDS:
        _add(index, kind, await stored_vectors(encoder, sessions, kind, ids[kind]))
    log.info("index for %s rebuilt from the database: %d items", encoder.version, index.size())
    return index


async def catch_up(runtime: Runtime, sessions: async_sessionmaker,
                   since: dt.datetime | None = None) -> int:
    """Bring an index in line with the open items now in the database; returns changes made.

    With `since`, only items created from then on are added (nothing is removed): a cheap step
    for the hot path, where reading every open id would cost O(open items) per report."""
    wanted = await open_ids(sessions, since)
    changes = 0
    for kind in KINDS:
        have = runtime.index.ids(kind)
        gone = sorted(have - wanted[kind]) if since is None else []
        runtime.index.remove(kind, gone)
        missing = wanted[kind] - have
        _add(runtime.index, kind, await stored_vectors(runtime.encoder, sessions, kind, missing))
        changes += len(gone) + len(missing)
    return changes


async def load_runtime(model_path: Path, sessions: async_sessionmaker, config: ServingConfig,
                       encoder: Encoder | None = None) -> Runtime:
    """Load a model and an index consistent with the database."""
    started = time.perf_counter()
    encoder = encoder or config.encoder(model_path)
    calibration = Calibration.load(Path(model_path))
    scorer = load_scorer(Path(model_path), encoder.version)
    if scorer is None:
        log.warning("model %s has no match scorer: scoring with the blend", encoder.version)
    index_dir = Path(config.index_root) / encoder.version
    ids = await open_ids(sessions)
    index = VectorIndex.load(index_dir, encoder.version, encoder.dim, ids, config.flat_max)
    if index is None:
        index = await rebuild_index(encoder, sessions, ids, config.flat_max)
        index.save(index_dir)
    else:
        log.info("index for %s loaded from %s (%d items)", encoder.version, index_dir, index.size())
    log.info("model %s ready in %.1f s", encoder.version, time.perf_counter() - started)
    return Runtime(encoder, index, calibration, index_dir, scorer)

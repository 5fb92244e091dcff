"""The sentence encoder: lost reports are queries, found reports are passages, always.

Encoding one text at a time from many coroutines would serialise on two CPU cores anyway, so
`encode_async` gathers the texts that arrive while a batch is running into the next batch and
runs it on one worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
PROMPT_FOR_KIND = {"lost": "query", "found": "passage"}
MAX_BATCH = 64


class ModelLoadError(RuntimeError):
    """The configured model cannot be loaded; never silently replaced by another."""


def model_version_of(path: Path) -> str:
    meta = path / "hoyamu_model.json"
    if meta.exists():
        return json.loads(meta.read_text())["version"]
    return path.name


class Encoder:
    """A loaded sentence-transformers model, one per process and version."""

    def __init__(self, model_path: str | Path, version: str | None = None,
                 max_seq_length: int = 128) -> None:
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(str(model_path), device="cpu")
        except Exception as exc:
            raise ModelLoadError(f"cannot load the model at {model_path}: {exc}") from exc
        self.model.max_seq_length = max_seq_length
        self.model.eval()
        self.path = Path(model_path)
        self.version = version or model_version_of(self.path)
        self.dim = int(self.model.get_embedding_dimension())
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"encode-{self.version}")
        self._pending: dict[str, list[tuple[str, asyncio.Future]]] = {"lost": [], "found": []}
        self._draining = False

    def encode(self, kind: str, texts: list[str]) -> np.ndarray:
        """Normalised float32 vectors (n, dim); blocking."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(texts, prompt_name=PROMPT_FOR_KIND[kind], batch_size=32,
                                    convert_to_numpy=True, normalize_embeddings=True,
                                    show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    async def encode_async(self, kind: str, text: str) -> np.ndarray:
        """One vector, batched with whatever else is waiting; the event loop never blocks."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._pending[kind].append((text, future))
        if not self._draining:
            self._draining = True
            loop.create_task(self._drain())
        return await future

    async def encode_many_async(self, kind: str, texts: list[str]) -> np.ndarray:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.encode, kind, texts)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while any(self._pending.values()):
                for kind, queue in self._pending.items():
                    if not queue:
                        continue
                    batch, self._pending[kind] = queue[:MAX_BATCH], queue[MAX_BATCH:]
                    try:
                        vectors = await loop.run_in_executor(
                            self._executor, self.encode, kind, [t for t, _ in batch])
                    except Exception as exc:  # noqa: BLE001 - handed to every waiter
                        for _, future in batch:
                            if not future.done():
                                future.set_exception(exc)
                        continue
                    for (_, future), vector in zip(batch, vectors, strict=True):
                        if not future.done():
                            future.set_result(vector)
        finally:
            self._draining = False

    def close(self) -> None:
        self._executor.shutdown(wait=False)

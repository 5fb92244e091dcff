"""A started core with the test's settings and a few changed: `async with core_with(...)`."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from hoyamu.core import Core, start_core


@asynccontextmanager
async def core_with(tmp_path: Path, base_model_path: Path, encoder, **overrides):
    """A core on a fresh database in tmp_path (or PostgreSQL), sharing the session's loaded
    model; `overrides` are settings (e.g. reports_per_hour=2, api_keys=[...])."""
    from tests.conftest import make_settings

    core: Core = await start_core(make_settings(tmp_path, base_model_path, **overrides),
                                  encoder=encoder)
    try:
        yield core
    finally:
        core.serving.runtime.save_index()
        await core.engine.dispose()  # not core.close(): the encoder is shared by the session

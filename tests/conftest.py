"""Shared fixtures: the real converted model (loaded once), and per-test database, index and core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from hoyamu.core import Core, start_core  # noqa: E402
from hoyamu.settings import Settings  # noqa: E402
from matcher.encoder import Encoder  # noqa: E402
from matcher.store import ModelStore  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADMIN_ID = 900


@pytest.fixture(scope="session")
def base_model_path() -> Path:
    """The bundled model converted into the project's cache (data/models), as `make run` does."""
    return ModelStore(ROOT / "data" / "models", "bundled").base_path()


@pytest.fixture(scope="session")
def encoder(base_model_path: Path) -> Encoder:
    return Encoder(base_model_path)


def make_settings(tmp_path: Path, base_model_path: Path, **overrides) -> Settings:
    database_url = os.environ.get("HOYAMU_TEST_DATABASE_URL") or \
        f"sqlite+aiosqlite:///{tmp_path}/hoyamu.db"
    values = dict(
        database_url=database_url, data_dir=tmp_path, models_dir=tmp_path / "models",
        index_dir=tmp_path / "indices", text_pairs_path=tmp_path / "text_pairs.json",
        base_model=str(base_model_path), admin_ids=[ADMIN_ID], telegram_bot_token=None,
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(tmp_path: Path, base_model_path: Path) -> Settings:
    return make_settings(tmp_path, base_model_path)


@pytest.fixture
async def core(settings: Settings, encoder: Encoder):
    core: Core = await start_core(settings, encoder=encoder)
    yield core
    core.service.runtime.save_index()
    await core.engine.dispose()

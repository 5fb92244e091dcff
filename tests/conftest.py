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


def _in_thread(work):
    """Run a coroutine function on its own event loop in a thread (callable from async tests)."""
    import asyncio
    import threading

    box: dict = {}

    def run() -> None:
        try:
            box["value"] = asyncio.run(work())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


class PostgresDatabases:
    """HOYAMU_TEST_DATABASE_URL=postgresql+asyncpg://...: every test gets a fresh database
    (CREATE DATABASE on first use, DROP ... WITH (FORCE) after the test)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        self.current: str | None = None
        self.counter = 0

    def _connect(self):
        import asyncpg

        url = self.url
        return asyncpg.connect(host=url.host, port=url.port, user=url.username,
                               password=url.password, database=url.database)

    def url_for_test(self) -> str:
        if self.current is None:
            self.counter += 1
            name = f"hoyamu_test_{os.getpid()}_{self.counter}"

            async def create() -> None:
                conn = await self._connect()
                try:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    await conn.execute(f'CREATE DATABASE "{name}"')
                finally:
                    await conn.close()

            _in_thread(create)
            self.current = name
        return self.url.set(database=self.current).render_as_string(hide_password=False)

    def drop(self) -> None:
        name, self.current = self.current, None
        if name is None:
            return

        async def drop() -> None:
            conn = await self._connect()
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        _in_thread(drop)


_TEST_DB_URL = os.environ.get("HOYAMU_TEST_DATABASE_URL") or ""
POSTGRES = PostgresDatabases(_TEST_DB_URL) if _TEST_DB_URL.startswith("postgresql") else None


@pytest.fixture(autouse=True)
def _fresh_postgres_database():
    """With PostgreSQL, drop the test's database after it (it is created on first use)."""
    yield
    if POSTGRES is not None:
        POSTGRES.drop()


def database_url_for_test(tmp_path: Path) -> str:
    """The database of the running test: a file in tmp_path, or its own PostgreSQL database."""
    if POSTGRES is not None:
        return POSTGRES.url_for_test()
    return _TEST_DB_URL or f"sqlite+aiosqlite:///{tmp_path}/hoyamu.db"


def make_settings(tmp_path: Path, base_model_path: Path, **overrides) -> Settings:
    database_url = database_url_for_test(tmp_path)
    values = dict(
        database_url=database_url, data_dir=tmp_path, models_dir=tmp_path / "models",
        index_dir=tmp_path / "indices", text_pairs_path=tmp_path / "text_pairs.json",
        feedback_pairs_path=tmp_path / "feedback_pairs.json",
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
    core.serving.runtime.save_index()
    await core.engine.dispose()

"""The migrations build exactly the tables the models describe (SQLite, or PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import make_engine, migrate
from storage.models import Base
from tests.conftest import database_url_for_test


async def test_migrations_build_the_models_schema(tmp_path) -> None:
    engine = make_engine(database_url_for_test(tmp_path))
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    finally:
        await engine.dispose()
    assert differences == []

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


async def test_upgrade_keeps_one_claim_per_owner_and_item_the_furthest_one(tmp_path) -> None:
    """A database from before 0004, where a declined owner re-claimed with the old 👍: the
    upgrade keeps the claim that got furthest, so the new one-claim rule can hold."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from storage.db import MIGRATIONS

    def upgrade(connection, revision: str) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    engine = make_engine(database_url_for_test(tmp_path))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade, "0003")
            await connection.execute(text(
                "INSERT INTO items (id, kind, text, category, status, sensitive, created_at, "
                "updated_at) VALUES (1, 'found', 'black wallet', 'wallet', 'open', false, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            for claimant, status in ((7, "declined"), (7, "accepted"), (7, "pending"),
                                     (8, "pending")):
                await connection.execute(text(
                    "INSERT INTO claims (found_id, claimant_id, status, owner_shares_contact, "
                    "finder_shares_contact, created_at) VALUES (1, :claimant, :status, false, "
                    "false, CURRENT_TIMESTAMP)"), {"claimant": claimant, "status": status})
        await migrate(engine)
        async with engine.connect() as connection:
            rows = (await connection.execute(text(
                "SELECT claimant_id, status FROM claims ORDER BY claimant_id"))).all()
    finally:
        await engine.dispose()
    assert [tuple(row) for row in rows] == [(7, "accepted"), (8, "pending")]

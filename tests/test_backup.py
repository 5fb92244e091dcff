"""`hoyamu backup` and `hoyamu restore`: a consistent copy taken while the bot writes, and the
round trip of database, text_pairs.json and model pointer (SQLite, or PostgreSQL via pg_dump)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from hoyamu.backup import BackupError, backup, restore
from hoyamu.core import start_core
from hoyamu.reports import ReportInput
from hoyamu.runtime import open_ids
from storage.models import Embedding, Item
from training.pairs import Pair, load_pairs, write_pairs

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [Pair("lost my black wallet at the library", "black wallet found in library"),
         Pair("mage kudaya canteen eke", "red umbrella found in the canteen")]


async def _snapshot(core) -> list[tuple]:
    async with core.sessions() as session:
        items = await session.scalars(select(Item).order_by(Item.id))
        return [(i.id, i.kind, i.text, i.status) for i in items]


async def test_backup_and_restore_round_trip(core, settings, encoder) -> None:
    write_pairs(settings.text_pairs_path, PAIRS)
    core.store.set_current(core.store.current_version())  # CURRENT names the serving model
    for text in ("Black leather wallet at the main library", "Red umbrella in the canteen"):
        await core.reports.report(ReportInput(kind="found", text=text, user_id=5))

    # a backup taken while reports keep arriving is consistent
    writing = asyncio.gather(*(core.reports.report(ReportInput(
        kind="lost", text=f"lost my blue calculator number {n}", user_id=6)) for n in range(4)))
    folder = await asyncio.to_thread(backup, settings)
    await writing
    manifest = json.loads((folder / "manifest.json").read_text())
    assert folder.parent == settings.data_dir / "backups"
    assert set(manifest["files"]) >= {"text_pairs.json", "models/CURRENT"}
    assert manifest["model"] == core.serving.runtime.version
    url = make_url(settings.database_url)
    written = (folder / "manifest.json").read_text()
    assert settings.database_url not in written and f":{url.password}@" not in written
    if core.engine.dialect.name == "sqlite":
        copy = sqlite3.connect(folder / "hoyamu.db")
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # item and embedding are one transaction: the copy never has one without the other
        assert copy.execute("SELECT count(*) FROM items").fetchone()[0] == \
            copy.execute("SELECT count(*) FROM embeddings").fetchone()[0]
        copy.close()

    # what the backup holds, taken again now that nothing is writing
    folder = backup(settings)
    saved_items = await _snapshot(core)

    # things change afterwards...
    await core.reports.report(ReportInput(kind="found", text="Grey HP laptop in the lab", user_id=7))
    await core.items.set_status(saved_items[0][0], "closed")
    write_pairs(settings.text_pairs_path, PAIRS[:1])
    (settings.models_dir / "CURRENT").unlink()
    (settings.models_dir / "CANDIDATE").write_text("ft-never-made\n")
    core.serving.runtime.save_index()
    await core.engine.dispose()

    # ...and the restore brings back exactly the backup
    restore(settings, folder)
    assert load_pairs(settings.text_pairs_path) == PAIRS
    assert (settings.models_dir / "CURRENT").read_text().strip() == core.serving.runtime.version
    assert not (settings.models_dir / "CANDIDATE").exists()
    again = await start_core(settings, encoder=encoder)
    try:
        assert await _snapshot(again) == saved_items
        wanted = await open_ids(again.sessions)  # the index was rebuilt to match, by itself
        assert {k: again.serving.runtime.index.ids(k) for k in wanted} == wanted
        async with again.sessions() as session:
            assert len(list(await session.scalars(select(Embedding)))) == len(saved_items)
        hits = await again.reports.search("lost my black wallet in the library", min_score=0)
        assert hits[0].item.id == saved_items[0][0]
    finally:
        await again.engine.dispose()


async def test_a_damaged_backup_is_refused_and_changes_nothing(core, settings) -> None:
    write_pairs(settings.text_pairs_path, PAIRS)
    await core.reports.report(ReportInput(kind="found", text="Blue umbrella at the bus halt"))
    folder = backup(settings)
    database = next(name for name in ("hoyamu.db", "hoyamu.dump") if (folder / name).exists())
    data = bytearray((folder / database).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / database).write_bytes(bytes(data))
    write_pairs(settings.text_pairs_path, PAIRS[:1])
    with pytest.raises(BackupError, match="damaged"):
        restore(settings, folder)
    assert load_pairs(settings.text_pairs_path) == PAIRS[:1]
    with pytest.raises(BackupError, match="not a Hoyamu backup"):
        restore(settings, folder.parent)
    # a pointer to a model that is not on disk is refused before anything changes
    folder = backup(settings)
    (folder / "models").mkdir(exist_ok=True)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "models" / "CURRENT").write_text("ft-gone\n")
    import hashlib

    manifest["files"]["models/CURRENT"] = {
        "bytes": 8, "sha256": hashlib.sha256(b"ft-gone\n").hexdigest()}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="ft-gone"):
        restore(settings, folder)
    assert load_pairs(settings.text_pairs_path) == PAIRS[:1]


async def test_backup_and_restore_commands(core, settings) -> None:
    env = dict(os.environ, DATABASE_URL=settings.database_url, DATA_DIR=str(settings.data_dir),
               MODELS_DIR=str(settings.models_dir), INDEX_DIR=str(settings.index_dir),
               TEXT_PAIRS_PATH=str(settings.text_pairs_path), BASE_MODEL=settings.base_model,
               HF_HUB_OFFLINE="1", LOG_LEVEL="WARNING")

    def hoyamu(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cli", *args], env=env, text=True,
                              capture_output=True, timeout=600, cwd=ROOT)

    await core.reports.report(ReportInput(kind="found", text="Black wallet at the library"))
    write_pairs(settings.text_pairs_path, PAIRS)
    made = await asyncio.to_thread(hoyamu, "backup")
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip().rsplit(" ", 1)[-1])
    assert folder.is_dir() and (folder / "manifest.json").exists()
    await core.reports.report(ReportInput(kind="found", text="Red umbrella at the canteen"))
    await core.engine.dispose()
    back = await asyncio.to_thread(hoyamu, "restore", str(folder))
    assert back.returncode == 0, back.stderr
    assert "rebuilt at the next start" in back.stdout
    assert [text for _, _, text, _ in await _snapshot(core)] == ["Black wallet at the library"]
    refused = await asyncio.to_thread(hoyamu, "restore", str(settings.data_dir))
    assert refused.returncode == 1 and "not a Hoyamu backup" in refused.stderr

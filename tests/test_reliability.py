"""Faults: a bot process killed under load, a locked or unreachable database, a killed training
run, double-tapped buttons, and several processes sharing one database.

Real processes, model, index and database throughout; only Telegram's network is local.
"""

from __future__ import annotations

import asyncio
import json
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.i18n import t
from hoyamu.core import start_core
from hoyamu.reports import ReportInput
from hoyamu.runtime import open_ids
from matcher.lexicon import normalize
from storage.db import make_engine
from storage.models import Embedding, Feedback, Item, Status, User
from tests.auxil.bot import BotHarness
from tests.auxil.env import child_env
from tests.conftest import make_settings
from tests.test_reliability_load import IDENTICAL, LoadResult, missing_in_database
from training.pairs import load_pairs, write_pairs

ROOT = Path(__file__).resolve().parent.parent
BUSY = t("en", "err_busy")
OWNER, FINDER = 4101, 4102


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A child process from the project root; stdout is read line by line, stderr kept in `log`."""
    with open(log, "w") as stderr:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=stderr, text=True)


def read_lines(process: subprocess.Popen, lines: queue.Queue) -> threading.Thread:
    def pump() -> None:
        for raw in process.stdout:
            lines.put(raw)
        lines.put(None)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


async def index_consistent(core) -> bool:
    """The serving index holds exactly the open items of the database."""
    wanted = await open_ids(core.sessions)
    return all(core.serving.runtime.index.ids(kind) == ids for kind, ids in wanted.items())


# --- a bot process SIGKILLed under load ------------------------------------------------------


@pytest.mark.slow
async def test_killed_bot_loses_no_confirmed_report_or_vote(tmp_path, base_model_path,
                                                           encoder) -> None:
    settings = make_settings(tmp_path, base_model_path, reports_per_hour=100_000)
    write_pairs(settings.text_pairs_path, load_pairs(ROOT / "data" / "text_pairs.json")[:30])
    process = spawn(["-m", "tests.test_reliability_load", "--drive", "--students", "6",
                     "--seconds", "900"], child_env(settings, REPORTS_PER_HOUR="100000"),
                    tmp_path / "driver.log")
    lines: queue.Queue = queue.Queue()
    pump = read_lines(process, lines)
    events: list[dict] = []
    try:
        # kill it in the middle of the load: after 25 saved reports, a few votes and folds
        while True:
            raw = await asyncio.to_thread(lines.get, True, 600)
            if raw is None:
                seen = {k: [e["event"] for e in events].count(k) for k in ("report", "vote", "folded")}
                pytest.fail(f"the driver stopped by itself after {seen}:\n" +
                            (tmp_path / "driver.log").read_text()[-3000:])
            events.append(json.loads(raw))
            kinds = [e["event"] for e in events]
            if (kinds.count("report") >= 25 and kinds.count("vote") >= 5
                    and kinds.count("folded") >= 5):
                break
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    pump.join()
    while (raw := lines.get()) is not None:  # confirmations printed before the kill
        events.append(json.loads(raw))
    assert process.returncode == -signal.SIGKILL

    confirmed = LoadResult()
    for event in events:
        if event["event"] == "report":
            confirmed.reports[event["item"]] = (event["user"], event["kind"])
        elif event["event"] == "vote":
            confirmed.votes[(event["match"], event["user"])] = event["vote"]

    # text_pairs.json is still valid (atomic replace), whatever the kill interrupted, and the
    # identical lost/found texts handed back before the load (identical_handback) never entered
    json.loads(settings.text_pairs_path.read_text(encoding="utf-8"))
    assert len(load_pairs(settings.text_pairs_path)) == 30  # the seed file is only read
    folded = (load_pairs(settings.feedback_pairs_path)
              if settings.feedback_pairs_path.exists() else [])
    assert all(normalize(p.anchor) != normalize(IDENTICAL) for p in folded)

    # restart: the index is loaded or rebuilt to match the database, without anyone's help
    core = await start_core(settings, encoder=encoder)
    try:
        assert await missing_in_database(core, confirmed) == []
        assert await index_consistent(core)
        async with core.sessions() as session:
            stored = await session.scalar(select(func.count(Item.id)))
            embedded = await session.scalar(select(func.count(Embedding.item_id)))
            handed_back = await session.scalar(select(func.count(Item.id)).where(
                Item.status == Status.RETURNED))
        assert stored >= len(confirmed.reports) and embedded == stored
        assert handed_back == 2  # the identical pair; the rest all still open, all searchable
        assert core.serving.runtime.index.size() == stored - handed_back
        hits = await core.reports.search("lost my black wallet in the library", min_score=0)
        assert hits
    finally:
        await core.engine.dispose()


# --- the database locked or unreachable ------------------------------------------------------


async def _counts(core) -> tuple[int, int, int]:
    async with core.sessions() as session:
        return (await session.scalar(select(func.count(Item.id))),
                await session.scalar(select(func.count(Embedding.item_id))),
                await session.scalar(select(func.count(Feedback.id))))


@pytest.mark.slow
async def test_locked_database_asks_to_try_again_and_stores_nothing(core, caplog) -> None:
    if core.engine.dialect.name != "sqlite":
        pytest.skip("an exclusive file lock is SQLite's; see the unreachable test for both")
    async with BotHarness(core) as bot:
        owner, finder = bot.user(OWNER), bot.user(FINDER)
        await bot.report(finder, "found", "Black leather wallet found in the main library")
        await bot.walk_to_summary(owner, "lost", "lost my black leather wallet in the library")
        before = await _counts(core)
        index_before = core.serving.runtime.index.size()

        lock = sqlite3.connect(make_url(core.settings.database_url).database,
                               isolation_level=None, timeout=1)
        lock.execute("BEGIN EXCLUSIVE")  # another process holds the write lock...
        try:
            calls = await bot.press(owner, "confirm:yes")  # ...for longer than busy_timeout
            texts = bot.texts_to(owner, calls)
            assert BUSY in texts
            assert any(d == "confirm:yes" for c in calls for _, d in c.buttons)  # can resend
            assert bot.answers(calls)  # the button was answered
            assert lock.execute("SELECT count(*) FROM items").fetchone()[0] == before[0]
            assert lock.execute("SELECT count(*) FROM embeddings").fetchone()[0] == before[1]
            assert core.serving.runtime.index.size() == index_before  # nothing half-indexed
        finally:
            lock.rollback()
            lock.close()

        # the lock is gone: the same button now saves the report, once
        calls = await bot.press(owner, "confirm:yes")
        assert any(text.startswith("✅ Saved your report") for text in bot.texts_to(owner, calls))
        assert (await _counts(core))[:2] == (before[0] + 1, before[1] + 1)
        assert core.serving.runtime.index.size() == index_before + 1

        # a vote while locked goes through the error handler: "try again", nothing stored
        down = [d for c in calls for _, d in c.buttons if d.startswith("v:") and d.endswith(":0")]
        assert down
        lock = sqlite3.connect(make_url(core.settings.database_url).database,
                               isolation_level=None, timeout=1)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            calls = await bot.press_data(owner, down[0])
            assert BUSY in [c.params.get("text") for c in bot.answers(calls)]
            assert lock.execute("SELECT count(*) FROM feedback").fetchone()[0] == 0
        finally:
            lock.rollback()
            lock.close()
        calls = await bot.press_data(owner, down[0])
        assert t("en", "vote_down") in [c.params.get("text") for c in bot.answers(calls)]
        assert (await _counts(core))[2] == 1
    # the busy moments were logged as warnings, never as unexpected errors
    assert not [r for r in caplog.records if r.name == "bot.handlers.errors"
                and r.levelname == "ERROR"]


def _unreachable_url(core) -> str:
    if core.engine.dialect.name == "sqlite":
        return "sqlite+aiosqlite:////nonexistent-hoyamu-dir/hoyamu.db"
    url = make_url(core.settings.database_url)
    return url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)


async def test_unreachable_database_asks_to_try_again_and_keeps_running(core, caplog) -> None:
    async with BotHarness(core) as bot:
        owner = bot.user(OWNER)
        await bot.walk_to_summary(owner, "lost", "lost my blue umbrella at the bus stop")
        down = make_engine(_unreachable_url(core))
        core.sessions.configure(bind=down)  # the server went away (every service shares it)
        try:
            calls = await bot.press(owner, "confirm:yes")
            assert BUSY in bot.texts_to(owner, calls) + [
                c.params.get("text") for c in bot.answers(calls)]
            calls = await bot.send(owner, "/mine")
            assert BUSY in bot.texts_to(owner, calls)
        finally:
            core.sessions.configure(bind=core.engine)
            await down.dispose()
        assert (await _counts(core))[0] == 0
        assert core.serving.runtime.index.size() == 0
        # back again: the bot kept running and the conversation goes on
        await bot.walk_to_summary(owner, "lost", "lost my blue umbrella at the bus stop")
        calls = await bot.press(owner, "confirm:yes")
        assert any(text.startswith("✅ Saved your report") for text in bot.texts_to(owner, calls))
        assert (await _counts(core))[0] == 1
    assert not [r for r in caplog.records if r.name == "bot.handlers.errors"
                and r.levelname == "ERROR"]


# --- double-tapped buttons and first contact at once ------------------------------------------


async def test_concurrent_duplicates_store_one_row(core) -> None:
    users = await asyncio.gather(*(core.users.get_user(777, "si") for _ in range(6)))
    assert {u.id for u in users} == {777}
    await core.reports.report(ReportInput(kind="found", text="black wallet at the library", user_id=1))
    lost = await core.reports.report(ReportInput(kind="lost", user_id=2,
                                            text="lost my black wallet in the library"))
    match_id = lost.matches[0].match_id
    results = await asyncio.gather(*(core.feedback.vote(match_id, 2, up=False) for _ in range(6)))
    assert sum(changed for _, changed in results) == 1
    async with core.sessions() as session:
        assert await session.scalar(select(func.count(User.id)).where(User.id == 777)) == 1
        assert await session.scalar(select(func.count(Feedback.id))) == 1


# --- a killed training run -------------------------------------------------------------------


@pytest.mark.slow
async def test_killed_training_leaves_the_serving_model_and_index(tmp_path, base_model_path,
                                                                 encoder) -> None:
    settings = make_settings(tmp_path, base_model_path)
    core = await start_core(settings, encoder=encoder)
    for text in ("Black leather wallet at the main library", "Red umbrella at the bus halt"):
        await core.reports.report(ReportInput(kind="found", text=text))
    core.serving.runtime.save_index()
    version = core.serving.runtime.version
    await core.engine.dispose()
    index_dir = core.serving.runtime.index_dir
    index_files = {p.name: p.read_bytes() for p in index_dir.iterdir()}
    models_before = sorted(p.name for p in settings.models_dir.glob("*")) \
        if settings.models_dir.exists() else []

    write_pairs(settings.text_pairs_path, load_pairs(ROOT / "data" / "text_pairs.json")[:12])
    process = spawn(["-m", "training.worker", "--pairs", str(settings.text_pairs_path),
                     "--models-dir", str(settings.models_dir), "--base-model",
                     settings.base_model, "--epochs", "50"], child_env(settings),
                    tmp_path / "worker.log")
    lines: queue.Queue = queue.Queue()
    pump = read_lines(process, lines)
    try:
        while True:  # wait until the first epoch is done...
            raw = await asyncio.to_thread(lines.get, True, 600)
            assert raw is not None, (tmp_path / "worker.log").read_text()[-2000:]
            if raw.startswith('{"event"'):
                assert json.loads(raw)["event"] == "epoch", raw
                break
    finally:
        process.send_signal(signal.SIGKILL)  # ...and it dies in the middle of the second
        process.wait()
    pump.join()

    models_after = sorted(p.name for p in settings.models_dir.glob("*") if
                          not p.name.startswith(".train-"))
    assert [m for m in models_after if m not in models_before] == []  # no half-made version
    for pointer in ("CURRENT", "PREVIOUS", "CANDIDATE"):
        assert not (settings.models_dir / pointer).exists()
    assert {p.name: p.read_bytes() for p in index_dir.iterdir()} == index_files

    again = await start_core(settings, encoder=encoder)
    try:
        assert again.serving.runtime.version == version
        assert again.serving.runtime.index.size("found") == 2
        assert await index_consistent(again)
    finally:
        await again.engine.dispose()


# --- several processes sharing one database --------------------------------------------------


@pytest.mark.slow
async def test_processes_sharing_a_database_stay_in_step(tmp_path, base_model_path,
                                                         encoder) -> None:
    """Two bot processes (two cores) on one database: the refresh job brings each index in line
    with what the other stored or closed."""
    from telegram.ext import CallbackContext

    from bot.handlers import jobs

    settings = make_settings(tmp_path, base_model_path)
    first = await start_core(settings, encoder=encoder)
    second = await start_core(settings.model_copy(update={"index_dir": tmp_path / "idx2"}),
                              encoder=encoder)
    try:
        stored = await first.reports.report(ReportInput(
            kind="found", text="Green Nike water bottle found at the gym", user_id=FINDER))
        assert second.serving.runtime.index.size() == 0  # not seen yet
        async with BotHarness(second) as bot:
            await jobs.refresh_index(CallbackContext(bot.app))
            assert second.serving.runtime.index.ids("found") == {stored.item.id}
            # an owner talking to the second process now finds it
            calls = await bot.report(bot.user(OWNER), "lost", "lost my green water bottle at "
                                     "the gym")
            assert any("Nike" in c.text for c in calls if c.chat_id == OWNER)
            # closed through the first process: gone from the second after its refresh
            await first.items.set_status(stored.item.id, "closed", user_id=FINDER)
            await jobs.refresh_index(CallbackContext(bot.app))
            assert second.serving.runtime.index.size("found") == 0
            # the lost report made through the second reaches the first at its refresh
            assert not await index_consistent(first)
            assert await first.serving.refresh_index() == 1
            assert await index_consistent(second) and await index_consistent(first)
    finally:
        await first.engine.dispose()
        await second.engine.dispose()


async def test_a_pair_split_across_two_processes_is_never_missed(tmp_path, base_model_path,
                                                                 encoder) -> None:
    """The lost report reaches one process, the found report another, before any refresh: the
    later one still sees the earlier one and the owner is notified."""
    settings = make_settings(tmp_path, base_model_path)
    first = await start_core(settings, encoder=encoder)
    second = await start_core(settings.model_copy(update={"index_dir": tmp_path / "idx2"}),
                              encoder=encoder)
    try:
        lost = await first.reports.report(ReportInput(
            kind="lost", text="lost my black leather wallet in the main library", user_id=OWNER))
        assert lost.matches == []
        found = await second.reports.report(ReportInput(
            kind="found", text="Black leather wallet found at the main library counter",
            user_id=FINDER))
        assert [m.item.id for m in found.matches] == [lost.item.id]  # the owner is notified
        assert found.matches[0].match_id is not None
    finally:
        await first.engine.dispose()
        await second.engine.dispose()


def test_the_refresh_job_is_scheduled(settings) -> None:
    from bot.app import build_application
    from bot.local_api import LOCAL_TOKEN, LocalBotAPI

    class FakeCore:
        pass

    core = FakeCore()
    core.settings, core.sessions = settings, None
    app = build_application(core, LOCAL_TOKEN, request=LocalBotAPI(), rate_limit=False)
    jobs = {job.name: job for job in app.job_queue.jobs()}
    assert jobs["index_refresh"].job.trigger.interval.total_seconds() == 30
    core.settings = settings.model_copy(update={"index_refresh_seconds": 0})
    app = build_application(core, LOCAL_TOKEN, request=LocalBotAPI(), rate_limit=False)
    assert "index_refresh" not in {job.name for job in app.job_queue.jobs()}


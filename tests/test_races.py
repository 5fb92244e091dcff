"""Races a student or an admin actually hit: double-tapped buttons (Submit, a vote, a claim
decision, returned), reports during a promotion."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hoyamu.core import start_core
from hoyamu.reports import ReportInput
from hoyamu.runtime import open_ids
from storage.models import Claim, Embedding, Feedback, Item
from tests.auxil.bot import BotHarness
from tests.conftest import make_settings

FOUND = ["black leather wallet found in the library", "blue umbrella left at the canteen",
         "Casio calculator found in lecture hall 3", "silver ring near the gym"]


async def test_double_tapped_submit_stores_one_report_and_notifies_once(core) -> None:
    async with BotHarness(core) as bot:
        owner, finder = bot.user(1, "Owner"), bot.user(2, "Finder")
        await bot.report(owner, "lost", "lost my black leather wallet in the library")
        await bot.walk_to_summary(finder, "found", "found a black leather wallet in the library")
        message, data = bot.find_button(finder, "confirm:yes")
        before = len(bot.api.sent_to(owner["id"]))

        def tap():
            return bot.feed(bot.factory.callback(finder, data, message))

        await asyncio.gather(tap(), tap())  # two taps before the first one is answered
        async with core.sessions() as session:
            found = await session.scalar(select(func.count(Item.id)).where(Item.kind == "found"))
        assert found == 1
        notifications = [c for c in bot.api.sent_to(owner["id"])[before:]
                         if any(d.startswith("v:") for _, d in c.buttons)]
        assert len(notifications) == 1
        answers = [c for c in bot.api.calls if c.method == "answerCallbackQuery"][-2:]
        assert len(answers) == 2  # both taps were answered (the second: no longer active)


async def test_double_taps_on_a_vote_a_decision_and_returned_have_one_effect_each(core) -> None:
    """Each button tapped twice before the first tap is answered: one vote row, one decision
    (the owner is told once), one hand-back (both told once)."""
    async with BotHarness(core) as bot:
        owner, finder = bot.user(1, "Owner"), bot.user(2, "Finder")
        await bot.report(finder, "found", "found a black leather wallet in the library")
        await bot.report(owner, "lost", "lost my black leather wallet in the library")

        async def twice(user: dict, wanted: str) -> list:
            message, data = bot.find_button(user, wanted)
            start = len(bot.api.calls)
            await asyncio.gather(*(bot.feed(bot.factory.callback(user, data, message))
                                   for _ in range(2)))
            assert len([c for c in bot.api.calls[start:]
                        if c.method == "answerCallbackQuery"]) == 2  # both taps answered
            return bot.api.calls[start:]

        await twice(owner, "Not mine")
        async with core.sessions() as session:
            votes = list(await session.scalars(select(Feedback.vote)))
        assert votes == ["down"]
        await bot.press(owner, "This is mine")
        calls = await twice(finder, "c:")
        assert len([c for c in calls if c.chat_id == 1 and c.method == "sendMessage"]) == 1
        await bot.press(finder, "ret:")  # handed over
        calls = await twice(owner, "ret:")  # "I got it back", twice
        assert len([c for c in calls if c.chat_id == 2 and c.method == "sendMessage"]) == 1
        async with core.sessions() as session:
            assert list(await session.scalars(select(Claim.status))) == ["returned"]


def _second_version(base: Path, models_dir: Path, version: str) -> Path:
    """The base model under another version name: a real, loadable model (files hard-linked)."""
    target = models_dir / version
    shutil.copytree(base, target, copy_function=os.link)
    meta = target / "hoyamu_model.json"
    data = json.loads(meta.read_text()) if meta.exists() else {}
    meta.unlink(missing_ok=True)  # a new file, not the base model's (hard-linked) one
    meta.write_text(json.dumps({**data, "version": version}))
    return target


@pytest.mark.slow
async def test_reports_while_a_new_model_is_promoted_lose_nothing(tmp_path, base_model_path,
                                                                  encoder, caplog) -> None:
    """Two processes on one database switch to a new model while students keep reporting: no
    error (the old UNIQUE violation on embeddings), and every open report is in both indices."""
    settings = make_settings(tmp_path, base_model_path, index_refresh_seconds=0)
    _second_version(base_model_path, settings.models_dir, "copy-v2")
    first = await start_core(settings, encoder=encoder)
    second = await start_core(settings, encoder=encoder)  # another bot process
    try:
        for i, text in enumerate(FOUND):
            await first.reports.report(ReportInput(kind="found", text=text, user_id=10 + i))
        await asyncio.to_thread(first.store.set_current, "copy-v2")  # a training run promoted it
        caplog.set_level(logging.WARNING)
        during = [first.reports.report(ReportInput(kind="lost", user_id=30 + i,
                                                   text=f"lost my {word} somewhere"))
                  for i, word in enumerate(["wallet", "umbrella", "calculator", "ring", "keys"])]
        await asyncio.gather(first.modelops.follow_store(), second.modelops.follow_store(),
                             first.modelops.promote("copy-v2"), *during)
        await second.serving.refresh_index()  # the other process's periodic catch-up
        wanted = await open_ids(first.sessions)
        assert sum(len(ids) for ids in wanted.values()) == len(FOUND) + 5
        for core in (first, second):
            assert core.serving.runtime.version == "copy-v2"
            assert {k: core.serving.runtime.index.ids(k) for k in wanted} == wanted
        async with first.sessions() as session:
            rows = await session.scalar(select(func.count()).select_from(Embedding).where(
                Embedding.model_version == "copy-v2"))
        assert rows == len(FOUND) + 5  # one vector per item for the new model, none twice
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        for core in (first, second):
            for runtime in core.serving.runtimes():
                if runtime.encoder is not encoder:
                    runtime.encoder.close()
            await core.engine.dispose()

"""The feedback loop on real components: 👍/👎 -> fold -> /retrain -> hot swap, A/B, roll-back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hoyamu.core import start_core
from hoyamu.reports import ReportInput
from storage.models import Match
from tests.auxil.bot import BotHarness
from tests.conftest import ADMIN_ID, make_settings
from training.pairs import load_pairs, write_pairs
from training.train import TrainConfig, train

pytestmark = pytest.mark.training

ROOT = Path(__file__).resolve().parent.parent
OWNER, FINDER_1, FINDER_2 = 11, 22, 33


def seed_pairs(path: Path, n: int = 40) -> list:
    pairs = load_pairs(ROOT / "data" / "text_pairs.json")
    chosen = pairs[:: len(pairs) // n][:n]
    write_pairs(path, chosen)
    return chosen


@pytest.fixture
async def loop_core(tmp_path, base_model_path, encoder):
    # the blend shows the owner the wrong calculator too (the learned scorer hides it: another
    # colour and brand), so that there is a 👎 to fold
    settings = make_settings(tmp_path, base_model_path, retrain_epochs=1, retrain_max_steps=2,
                             scoring="blend")
    core = await start_core(settings, encoder=encoder)
    yield core
    await core.engine.dispose()


async def test_feedback_retrain_and_hot_swap_through_the_bot(loop_core) -> None:
    core = loop_core
    seed = seed_pairs(core.settings.text_pairs_path)
    async with BotHarness(core) as bot:
        owner, admin = bot.user(OWNER), bot.user(ADMIN_ID)
        right = "Blue Casio scientific calculator found in lecture hall 2"
        wrong = "Black Sharp calculator left in lecture hall 5"
        await bot.report(bot.user(FINDER_1), "found", right)
        await bot.report(bot.user(FINDER_2), "found", wrong)
        lost_text = "mage nil pata casio calculator eka LH 2 eke nathi una"
        calls = await bot.report(owner, "lost", lost_text)
        shown = {c.text.split("\n")[1]: d for c in calls for label, d in c.buttons
                 if d.startswith("v:") and d.endswith(":0")}
        await bot.press_data(owner, shown[wrong])                     # 👎 on the wrong one
        right_vote = shown[right].replace(":0", ":1")
        await bot.press_data(owner, right_vote)                       # 👍 on the right one
        await bot.send(owner, "/cancel")
        await bot.press(bot.user(FINDER_1), "c:")     # the finder accepts: now it is proof

        old_version = core.serving.runtime.version
        await bot.send(admin, "/retrain")
        await bot.app.bot_data["retrain_task"]
        edits = [c.text for c in bot.api.calls if c.method == "editMessageText"]
        assert any("Folded feedback: 2 new pairs" in text for text in edits)
        assert any("Epoch 1/1" in text for text in edits)
        assert "now serving" in edits[-1], edits[-1]

        # the promoted model serves the next search, without a restart
        new_version = core.serving.runtime.version
        assert new_version != old_version and new_version.startswith("ft-")
        assert core.store.current_version() == new_version
        await bot.report(bot.user(44), "lost", "lost a blue casio calculator in lecture hall 2")
        async with core.sessions() as session:
            versions = {m.model_version for m in await session.scalars(select(Match))}
        assert new_version in versions

        # /export: the folded pairs, and which verified signal made each
        sent = [c for c in await bot.send(admin, "/export") if c.method == "sendDocument"]
        caption = sent[0].params["caption"]
        assert "claims the finder accepted: 1" in caption and "👎 votes (hard negatives): 1" in caption
        assert "items handed back: 0" in caption
    assert load_pairs(core.settings.text_pairs_path) == seed  # the seed file is only read
    assert [(p.anchor, p.positive, p.negative, p.signal)
            for p in load_pairs(core.settings.feedback_pairs_path)] == [
        (lost_text, right, None, "accepted"), (lost_text, right, wrong, "down")]


async def test_second_retrain_while_running_is_refused(loop_core) -> None:
    async with BotHarness(loop_core) as bot:
        from bot.handlers.admin import retrainer

        retrainer(bot.app)._running = True
        calls = await bot.send(bot.user(ADMIN_ID), "/retrain")
        assert "already running" in calls[-1].text


async def test_failed_retraining_changes_nothing(loop_core) -> None:
    core = loop_core
    write_pairs(core.settings.text_pairs_path, load_pairs(ROOT / "data" / "text_pairs.json")[:1])
    before = core.serving.runtime
    async with BotHarness(core) as bot:
        await bot.send(bot.user(ADMIN_ID), "/retrain")
        await bot.app.bot_data["retrain_task"]
        edits = [c.text for c in bot.api.calls if c.method == "editMessageText"]
        assert "Retraining failed, nothing changed" in edits[-1]
        assert "need more pairs" in edits[-1]
    assert core.serving.runtime is before
    assert not (core.settings.models_dir / "CURRENT").exists()


async def test_swap_keeps_reports_made_while_the_new_index_builds(loop_core) -> None:
    core = loop_core
    seed_pairs(core.settings.text_pairs_path)
    result = train(core.settings.text_pairs_path, core.store,
                   TrainConfig(epochs=1, max_steps=1, batch_size=8), promote=False)
    ops = core.modelops
    await core.reports.report(ReportInput(kind="found", text="Red umbrella at the bus halt"))
    staged = await ops.load(result.version)  # built in the background...
    late = await core.reports.report(ReportInput(kind="found", text="Green Nike water bottle "
                                                 "found at the gym"))  # ...while this arrives
    assert late.item.id not in staged.index.ids("found")
    core.serving.candidate = staged
    await ops.promote(result.version)
    assert core.serving.runtime is staged and core.serving.candidate is None
    assert staged.index.ids("found") == {1, 2}
    hits = await core.reports.search("lost my green bottle at the gym", min_score=0)
    assert hits[0].item.id == late.item.id

    await ops.rollback()
    assert core.serving.runtime.version == Path(core.settings.base_model).name


async def test_ab_sends_a_share_of_searches_to_the_candidate(tmp_path, base_model_path,
                                                             encoder) -> None:
    settings = make_settings(tmp_path, base_model_path, ab_fraction=1.0)
    core = await start_core(settings, encoder=encoder)
    try:
        seed_pairs(settings.text_pairs_path)
        result = train(settings.text_pairs_path, core.store,
                       TrainConfig(epochs=1, max_steps=1, batch_size=8), promote=False,
                       force=True)
        await core.modelops.set_candidate(result.version)
        await core.reports.report(ReportInput(kind="found", text="Black wallet at the library"))
        lost = await core.reports.report(ReportInput(kind="lost", user_id=5,
                                                     text="lost my black wallet in the library"))
        assert lost.matches
        async with core.sessions() as session:
            versions = [m.model_version for m in await session.scalars(select(Match))]
        assert versions == [result.version]
        await core.feedback.vote(lost.matches[0].match_id, 5, up=True)
        report = {row["model"]: row for row in await core.stats.ab_report()}
        assert report[result.version]["up"] == 1 and report[result.version]["low"] is not None
    finally:
        await core.engine.dispose()


async def test_only_gated_models_can_be_candidates(loop_core) -> None:
    from hoyamu.validation import InvalidInput

    core = loop_core
    seed_pairs(core.settings.text_pairs_path)
    result = train(core.settings.text_pairs_path, core.store,
                   TrainConfig(epochs=1, max_steps=2, batch_size=8, learning_rate=0.05),
                   promote=False)
    assert not result.passed
    with pytest.raises(InvalidInput, match="did not pass"):
        await core.modelops.set_candidate(result.version)


async def test_a_match_of_identical_texts_folds_nothing_and_training_still_runs(loop_core) -> None:
    """Issue 15: a lost and a found report with the same text, 👍, accepted and handed back, is
    skipped by the fold (the loader would refuse it) instead of breaking every later training."""
    core = loop_core
    seed = seed_pairs(core.settings.text_pairs_path)
    text = "Black leather wallet near the main library"
    async with BotHarness(core) as bot:
        owner, finder, admin = bot.user(OWNER), bot.user(FINDER_1), bot.user(ADMIN_ID)
        await bot.report(finder, "found", text)
        await bot.report(owner, "lost", "  black LEATHER wallet near the main library! ")
        await bot.press(owner, "v:")                 # 👍 This is mine (first button)
        await bot.press(finder, "c:")                # the finder accepts
        await bot.press(owner, "ret:")               # handed back
        await bot.send(admin, "/retrain")
        await bot.app.bot_data["retrain_task"]
        edits = [c.text for c in bot.api.calls if c.method == "editMessageText"]
        assert any("Folded feedback: 0 new pairs" in e for e in edits), edits
        assert "failed" not in edits[-1] and "stopped" not in edits[-1], edits[-1]
        assert "Epoch 1/1" in "\n".join(edits)
    assert load_pairs(core.settings.text_pairs_path) == seed
    assert load_pairs(core.settings.feedback_pairs_path) == []

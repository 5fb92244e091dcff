"""The Telegram bot through the real Application, database, model and index.

Only Telegram's network is replaced (bot/local_api.py); updates are real Update JSON.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from bot.console import run_console
from bot.handlers import jobs
from storage.models import Claim, Feedback, Item, Match
from tests.auxil.bot import BotHarness
from tests.conftest import ADMIN_ID

AMAYA, KASUN, NIMAL = 101, 202, 303


@pytest.fixture
async def bot(core):
    async with BotHarness(core) as harness:
        yield harness


async def test_lost_and_found_story_end_to_end(bot: BotHarness, core) -> None:
    owner = bot.user(AMAYA, "Amaya")
    finder = bot.user(KASUN, "Kasun")

    # A: a plain Singlish message outside any conversation becomes a lost report
    calls = await bot.send(owner, "library eke kalu wallet ekak nathi una, athule student ID eka")
    assert any(data == "kind:lost" for c in calls for _, data in c.buttons)
    await bot.press(owner, "kind:lost")
    await bot.send(owner, "main library")
    await bot.press(owner, "when:today")
    await bot.press(owner, "skip")
    category_question = bot.api.last_to(AMAYA).text
    assert "Wallet" in category_question
    await bot.press(owner, "cat:ok")
    calls = await bot.press(owner, "confirm:yes")
    assert any("No strong matches yet" in text for text in bot.texts_to(owner, calls))

    # B: a found report in English with a photo and a verification question
    calls = await bot.report(finder, "found", "Found a black leather wallet near the main "
                             "library counter, a student ID card is inside",
                             place="Main library", photo="wallet-photo-1",
                             question="What name is on the ID card?")
    notification = [c for c in calls if c.chat_id == AMAYA and c.buttons]
    assert notification, "the owner was not notified"
    assert notification[0].method == "sendMessage", "a sensitive item's photo must stay hidden"
    assert any("notified 1 possible owner" in text for text in bot.texts_to(finder, calls))
    assert "Amaya" not in " ".join(bot.texts_to(finder, calls))

    # A claims it and answers the finder's question
    calls = await bot.press(owner, "This is mine")
    assert any("What name is on the ID card?" in t for t in bot.texts_to(owner, calls))
    calls = await bot.send(owner, "Amaya Perera")
    claim_message = [c for c in calls if c.chat_id == KASUN]
    assert "Amaya Perera" in claim_message[0].text
    assert str(AMAYA) not in claim_message[0].text

    # B accepts: A is told, and only now sees the photo
    calls = await bot.press(finder, "c:")
    assert any(c.method == "sendPhoto" and c.chat_id == AMAYA for c in calls)

    # They talk through the bot, without seeing each other's identity
    await bot.press(owner, "r:")
    calls = await bot.send(owner, "Can we meet at the library entrance at 3pm?")
    relayed = [c for c in calls if c.chat_id == KASUN]
    assert "3pm" in relayed[0].text and "Amaya" not in relayed[0].text
    assert str(AMAYA) not in relayed[0].text

    # B says they handed it over; A confirms "I got it back": both reports close, the claim
    # and the 👍 are stored
    calls = await bot.press(finder, "ret:")
    assert [label for c in calls if c.chat_id == AMAYA for label, _ in c.buttons] == \
        ["✅ I got it back", "✖️ Not yet"]
    assert {i.status for i in await core.items.user_items(AMAYA, open_only=False)} == {"open"}
    calls = await bot.press(owner, "I got it back")
    assert bot.texts_to(owner, calls) and bot.texts_to(finder, calls)
    async with core.sessions() as session:
        items = list(await session.scalars(select(Item)))
        assert {i.status for i in items} == {"returned"}
        claim = await session.scalar(select(Claim))
        assert claim.status == "returned"
        feedback = list(await session.scalars(select(Feedback)))
        assert [(f.user_id, f.vote) for f in feedback] == [(AMAYA, "up")]
        match = await session.get(Match, feedback[0].match_id)
        assert match.model_version == core.serving.runtime.version
    assert core.serving.runtime.index.size() == 0


async def test_second_vote_changes_it_instead_of_adding(bot: BotHarness, core) -> None:
    owner, finder = bot.user(AMAYA), bot.user(KASUN)
    await bot.report(finder, "found", "Blue Casio calculator found in lecture hall 2")
    calls = await bot.report(owner, "lost", "lost my blue casio calculator in LH 2")
    assert any(d.startswith("v:") for c in calls for _, d in c.buttons)
    await bot.press(owner, "Not mine")
    calls = await bot.press(owner, "Not mine")
    assert "already recorded" in bot.answers(calls)[0].params["text"]
    async with core.sessions() as session:
        votes = list(await session.scalars(select(Feedback)))
    assert [v.vote for v in votes] == ["down"]


async def test_sinhala_interface(bot: BotHarness) -> None:
    student = bot.user(NIMAL, "Nimal", language="si")
    calls = await bot.send(student, "/start")
    welcome = bot.texts_to(student, calls)[0]
    assert any("\u0d80" <= ch <= "\u0dff" for ch in welcome)
    labels = [label for c in calls for label, _ in c.buttons]
    assert all(any("\u0d80" <= ch <= "\u0dff" for ch in label) for label in labels[:2])
    # switch to English and back with /language
    await bot.send(student, "/language")
    calls = await bot.press(student, "lang:en")
    assert "English" in bot.texts_to(student, calls)[0]


async def test_stale_and_forged_buttons_cannot_act(bot: BotHarness, core) -> None:
    owner, intruder = bot.user(AMAYA), bot.user(NIMAL)
    await bot.report(owner, "lost", "lost my red umbrella at the bus stop")
    item = (await core.items.user_items(AMAYA))[0]

    calls = await bot.press_data(intruder, f"i:{item.id}:del")
    assert bot.answers(calls), "answerCallbackQuery must always be called"
    assert (await core.items.get_item(item.id)).status == "open"

    calls = await bot.press_data(intruder, "v:999999:1")
    assert bot.answers(calls)
    calls = await bot.press_data(intruder, "nonsense-data")
    assert "no longer active" in bot.answers(calls)[0].params["text"]

    # a second press on an already used button is answered with a short note
    await bot.send(owner, "/mine")
    await bot.press(owner, f"i:{item.id}:close")
    calls = await bot.press_data(owner, f"i:{item.id}:close")
    assert "already closed" in bot.answers(calls)[0].params["text"]


async def test_overlong_and_empty_messages_are_refused_kindly(bot: BotHarness, core) -> None:
    student = bot.user(AMAYA)
    await bot.send(student, "/lost")
    calls = await bot.send(student, "wallet " * 800)
    assert "under 2000" in bot.texts_to(student, calls)[0]
    calls = await bot.send(student, "😀😀😀")
    assert "in words" in bot.texts_to(student, calls)[0]
    calls = await bot.send(student, "<b>black</b> wallet & keys")  # markup stays text
    if bot.offers(student, "detail:skip"):  # the follow-up question comes first, if asked
        calls = await bot.press(student, "detail:skip")
    assert "Where?" in bot.texts_to(student, calls)[0]
    assert await core.items.user_items(AMAYA) == []


async def test_report_limit_per_hour(tmp_path, base_model_path, encoder) -> None:
    from hoyamu.core import start_core
    from tests.conftest import make_settings

    core = await start_core(make_settings(tmp_path, base_model_path, reports_per_hour=2),
                            encoder=encoder)
    try:
        async with BotHarness(core) as bot:
            student = bot.user(AMAYA)
            await bot.report(student, "lost", "lost a green water bottle at the gym")
            await bot.report(student, "lost", "lost black earphones in the canteen")
            calls = await bot.report(student, "lost", "lost my calculator in the library")
            assert any("2 reports in the last hour" in t for t in bot.texts_to(student, calls))
            assert len(await core.items.user_items(AMAYA)) == 2
    finally:
        await core.engine.dispose()


async def test_admin_commands_are_for_admins_only(bot: BotHarness) -> None:
    calls = await bot.send(bot.user(AMAYA), "/stats")
    assert "only campus admins" in bot.texts_to(bot.user(AMAYA), calls)[0]
    calls = await bot.send(bot.user(ADMIN_ID), "/stats")
    assert "Open lost" in bot.texts_to(bot.user(ADMIN_ID), calls)[0]


async def test_unknown_command_and_channel_posts(bot: BotHarness) -> None:
    calls = await bot.send(bot.user(AMAYA), "/frobnicate")
    assert "do not know that command" in calls[-1].text
    channel_post = {"update_id": 99999, "channel_post": {
        "message_id": 5, "date": 0, "chat": {"id": -100123, "type": "channel"}, "text": "hi"}}
    assert await bot.feed(channel_post) == []


async def test_expiry_reminder_then_expiry(bot: BotHarness, core) -> None:
    import datetime as dt

    from telegram.ext import CallbackContext

    from storage.models import utcnow

    student = bot.user(AMAYA)
    await bot.report(student, "lost", "lost my brown leather belt in the gym")
    item = (await core.items.user_items(AMAYA))[0]
    async with core.sessions() as session, session.begin():
        (await session.get(Item, item.id)).expires_at = utcnow() + dt.timedelta(days=3)
    start = len(bot.api.calls)
    await jobs.expiry(CallbackContext(bot.app))
    assert any("will expire" in c.text for c in bot.api.calls[start:] if c.chat_id == AMAYA)
    async with core.sessions() as session, session.begin():
        (await session.get(Item, item.id)).expires_at = utcnow() - dt.timedelta(minutes=1)
    await jobs.expiry(CallbackContext(bot.app))
    assert (await core.items.get_item(item.id)).status == "expired"
    assert core.serving.runtime.index.size("lost") == 0


@pytest.mark.slow
async def test_console_chat_with_piped_input(settings) -> None:
    script = "\n".join([
        "/start",
        "/found",
        "Found a black leather wallet at the library",
        "1",  # skip place
        "1",  # today
        "1",  # skip photo
        "1",  # category ok
        "1",  # skip question
        "1",  # submit
        "/as Kasun",
        "library eke kalu wallet ekak nathi una",
        "1",  # lost
        "1", "1", "1", "1", "1",
        "/quit",
    ]) + "\n"
    out = io.StringIO()
    assert await run_console(settings, stdin=io.StringIO(script), out=out) == 0
    text = out.getvalue()
    assert "Hoyamu" in text and "[1]" in text
    assert "Found items that may be yours" in text
    assert "black leather wallet" in text.split("Kasun")[-1]

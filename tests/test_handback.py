"""Claims that can't be abused and a hand-back the owner confirms, through the real bot.

One claim per owner and item (a declined owner cannot re-claim; only the finder can reopen),
the finder's "handed over" is closed by the owner's "I got it back" (or after
HANDBACK_CONFIRM_HOURS, with a reminder half-way), deleting a report asks first and ends its
claims, and the finder judges a claim by the owner's own report without names or numbers.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.handlers import jobs
from bot.i18n import t
from hoyamu.validation import InvalidInput
from storage.models import Claim, Item, Match
from tests.auxil.bot import BotHarness

OWNER, FINDER = 411, 522
FOUND = "Found a black leather wallet at the main library counter"
LOST = "lost my black leather wallet in the main library"


@pytest.fixture
async def bot(core):
    async with BotHarness(core) as harness:
        yield harness


async def _claims(core) -> list[Claim]:
    async with core.sessions() as session:
        return list(await session.scalars(select(Claim).order_by(Claim.id)))


async def _claimed(bot: BotHarness, owner_language: str = "en",
                   lost: str = LOST) -> tuple[dict, dict, int]:
    """The finder reports a wallet (no question), the owner reports it lost and presses 👍."""
    owner = bot.user(OWNER, "Amaya", language=owner_language)
    finder = bot.user(FINDER, "Kasun")
    await bot.report(finder, "found", FOUND)
    await bot.report(owner, "lost", lost)
    await bot.press(owner, "v:")
    (claim,) = await _claims(bot.core)
    return owner, finder, claim.id


def _to(calls, user_id: int) -> list:
    return [c for c in calls if c.chat_id == user_id]


async def test_a_declined_owner_cannot_claim_again_only_the_finder_can_reopen(bot) -> None:
    owner, finder, claim_id = await _claimed(bot)
    await bot.press(finder, f"c:{claim_id}:0")  # "✖️ No"
    for _ in range(3):  # the old 👍, again and again
        calls = await bot.press(owner, "v:")
        assert t("en", "err_claim_declined") in bot.answers(calls)[0].params["text"]
        assert _to(calls, FINDER) == []  # the finder is not notified again
    assert [(c.id, c.status) for c in await _claims(bot.core)] == [(claim_id, "declined")]

    calls = await bot.press_data(owner, f"c:{claim_id}:2")  # the owner cannot reopen it
    assert t("en", "err_not_yours") in bot.answers(calls)[0].params["text"]
    calls = await bot.press(finder, "Reopen")
    assert any(d == f"c:{claim_id}:1" for c in _to(calls, FINDER) for _, d in c.buttons)
    assert t("en", "claim_reopened_owner") in bot.texts_to(owner, calls)
    await bot.press(finder, f"c:{claim_id}:1")
    assert [c.status for c in await _claims(bot.core)] == ["accepted"]


async def test_the_owner_confirms_the_handback_in_their_own_words(bot, core) -> None:
    owner, finder, claim_id = await _claimed(bot, owner_language="si")
    await bot.press(finder, f"c:{claim_id}:1")
    # each side's button says what they do: the finder hands over, the owner gets it back
    assert bot.offers(finder, f"ret:{claim_id}")
    assert t("en", "btn_handed") in [label for label, _ in bot.api.sent_to(FINDER)[-1].buttons]
    owner_labels = [label for c in bot.api.sent_to(OWNER) for label, _ in c.buttons]
    assert "✅ ලැබුණා" in owner_labels

    calls = await bot.press(finder, f"ret:{claim_id}")  # "📦 I handed it over"
    assert [c.status for c in await _claims(core)] == ["handed"]
    assert {i.status for i in await core.items.user_items(OWNER, open_only=False)} == {"open"}
    asked = _to(calls, OWNER)[0]
    assert [d for _, d in asked.buttons] == [f"ret:{claim_id}", f"ny:{claim_id}"]
    calls = await bot.press(finder, f"ret:{claim_id}")  # a second press changes nothing
    assert t("en", "err_stale") in bot.answers(calls)[0].params["text"] or \
        t("en", "err_already_handed") in bot.answers(calls)[0].params["text"]

    calls = await bot.press(owner, f"ny:{claim_id}")  # "not yet": they keep talking
    assert [c.status for c in await _claims(core)] == ["accepted"]
    assert t("en", "not_yet_finder") in bot.texts_to(finder, calls)
    await bot.press(finder, f"ret:{claim_id}")
    calls = await bot.press(owner, "ලැබුණා")
    assert bot.texts_to(owner, calls) and bot.texts_to(finder, calls)
    (claim,) = await _claims(core)
    assert claim.status == "returned" and claim.returned_at is not None
    async with core.sessions() as session:
        assert set(await session.scalars(select(Item.status))) == {"returned"}
    calls = await bot.press_data(owner, f"r:{claim_id}")  # the conversation is over
    assert t("si", "err_stale") in bot.answers(calls)[0].params["text"]


async def test_an_unconfirmed_handback_is_reminded_then_closed(bot, core) -> None:
    owner, finder, claim_id = await _claimed(bot)
    await bot.press(finder, f"c:{claim_id}:1")
    await bot.press(finder, f"ret:{claim_id}")
    hours = core.settings.handback_confirm_hours

    async def handed_hours_ago(value: float) -> None:
        async with core.sessions() as session, session.begin():
            await session.execute(update(Claim).values(
                handed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) -
                dt.timedelta(hours=value)))

    assert await bot.run_job(jobs.handbacks) == []  # too early: nothing
    await handed_hours_ago(hours / 2 + 1)
    calls = await bot.run_job(jobs.handbacks)
    assert [c.chat_id for c in calls] == [OWNER]
    assert bot.offers(owner, f"ret:{claim_id}") and bot.offers(owner, f"ny:{claim_id}")
    assert await bot.run_job(jobs.handbacks) == []  # reminded once
    assert [c.status for c in await _claims(core)] == ["handed"]

    await handed_hours_ago(hours + 1)
    calls = await bot.run_job(jobs.handbacks)
    assert sorted(c.chat_id for c in calls) == sorted([OWNER, FINDER])
    assert [c.status for c in await _claims(core)] == ["returned"]
    assert core.serving.runtime.index.size() == 0  # both reports left the index
    calls = await bot.press_data(owner, f"ret:{claim_id}")  # the reminder's button, too late
    assert t("en", "err_stale") in bot.answers(calls)[0].params["text"]


async def test_deleting_a_report_asks_first_and_ends_its_claim(bot, core) -> None:
    owner, finder, claim_id = await _claimed(bot)
    (lost,) = await core.items.user_items(OWNER)
    await bot.send(owner, "/mine")
    calls = await bot.press_data(owner, f"i:{lost.id}:del")
    assert t("en", "confirm_delete", id=lost.id) in bot.texts_to(owner, calls)
    assert (await core.items.get_item(lost.id)).status == "open"  # not yet
    await bot.press(owner, f"i:{lost.id}:keep")
    assert (await core.items.get_item(lost.id)).status == "open"
    calls = await bot.press_data(finder, f"i:{lost.id}:delok")  # not theirs
    assert (await core.items.get_item(lost.id)).status == "open"

    await bot.press_data(owner, f"i:{lost.id}:del")
    calls = await bot.press(owner, f"i:{lost.id}:delok")  # "🗑 Yes, delete it"
    assert (await core.items.get_item(lost.id)).status == "deleted"
    assert [c.status for c in await _claims(core)] == ["cancelled"]
    told = bot.texts_to(finder, calls)
    assert told and "claim has ended" in told[0] and "Amaya" not in told[0]
    calls = await bot.press_data(finder, f"c:{claim_id}:1")  # the claim's old button
    assert t("en", "err_stale") in bot.answers(calls)[0].params["text"]


async def test_the_finder_reads_the_owners_report_without_names_or_numbers(bot) -> None:
    lost = ("lost my black leather wallet in the main library, my name is Amaya Perera, "
            "NIC 199912345678 inside, call me on 0771234567")
    owner, finder, claim_id = await _claimed(bot, lost=lost)
    (asked,) = [c for c in bot.api.sent_to(FINDER) if any(d.startswith("c:") for _, d in c.buttons)]
    assert "black leather wallet in the main library" in asked.text
    for private in ("Amaya", "Perera", "199912345678", "0771234567", str(OWNER)):
        assert private not in asked.text


async def test_two_taps_or_two_processes_make_one_claim_and_one_decision(bot, core) -> None:
    """A double-tapped 👍 through the bot, and the same calls made at once as two processes
    would (no per-user ordering): one claim, one decision, one hand-back."""
    owner, finder = bot.user(OWNER), bot.user(FINDER)
    await bot.report(finder, "found", FOUND)
    await bot.report(owner, "lost", LOST)
    message, data = bot.find_button(owner, "v:")

    def tap():
        return bot.feed(bot.factory.callback(owner, data, message))

    await asyncio.gather(tap(), tap())
    claims = await _claims(core)
    assert len(claims) == 1
    assert len([c for c in bot.api.sent_to(FINDER) if any(d.startswith("c:") for _, d in
                                                          c.buttons)]) == 1

    async with core.sessions() as session:
        match_id = await session.scalar(select(Match.id))
    results = await asyncio.gather(core.claims.start(match_id, OWNER),
                                   core.claims.start(match_id, OWNER), return_exceptions=True)
    assert all(isinstance(r, InvalidInput) and r.code == "already_claimed" for r in results)

    claim_id = claims[0].id
    results = await asyncio.gather(core.claims.decide(claim_id, FINDER, True),
                                   core.claims.decide(claim_id, FINDER, False),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["ClaimView", "InvalidInput"]
    status = (await _claims(core))[0].status
    if status == "declined":
        await core.claims.reopen(claim_id, FINDER)
        await core.claims.decide(claim_id, FINDER, True)
    results = await asyncio.gather(core.claims.hand_back(claim_id, OWNER),
                                   core.claims.hand_back(claim_id, OWNER), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["HandBack", "InvalidInput"]
    assert [c.status for c in await _claims(core)] == ["returned"]


async def test_without_a_username_the_phone_number_goes_to_the_other_party_only(bot) -> None:
    """A tg:// link does not always open (hidden forwards, no username): the side without a
    username is offered Telegram's contact button, and the number reaches only the person
    they agreed to share contact with."""
    owner, finder, claim_id = await _claimed(bot)
    finder["username"] = "kasun_finds"  # the owner has no username
    intruder = bot.user(633, "Eve")
    await bot.press(finder, f"c:{claim_id}:1")
    await bot.press_data(owner, f"s:{claim_id}")
    calls = await bot.press_data(finder, f"s:{claim_id}")
    assert any("https://t.me/kasun_finds" in text for text in bot.texts_to(owner, calls))
    to_finder = " ".join(bot.texts_to(finder, calls))
    assert f"tg://user?id={OWNER}" in to_finder and "no Telegram username" in to_finder
    asked = [c for c in _to(calls, OWNER) if "keyboard" in (c.params.get("reply_markup") or {})]
    assert asked and asked[0].params["reply_markup"]["keyboard"][0][0]["request_contact"]
    assert not [c for c in _to(calls, FINDER) if "keyboard" in (c.params.get("reply_markup")
                                                                or {})]

    card = {"phone_number": "+94771234567", "first_name": "Amaya", "user_id": OWNER}
    someone_else = {**card, "phone_number": "+94770000000", "user_id": 999}
    calls = await bot.feed(bot.factory.message(owner, contact=someone_else))
    assert not [c for c in calls if c.method == "sendContact"]
    calls = await bot.feed(bot.factory.message(owner, contact=card))
    sent = [c for c in calls if c.method == "sendContact"]
    assert [(c.chat_id, c.params["phone_number"]) for c in sent] == [(FINDER, "+94771234567")]
    calls = await bot.feed(bot.factory.message(intruder, contact={**card, "user_id": 633}))
    assert not [c for c in calls if c.method == "sendContact"]
    assert t("en", "phone_nowhere") in bot.texts_to(intruder, calls)

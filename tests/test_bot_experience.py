"""The student's experience through the real Application (only Telegram's network is local):
the language follows the script, notifications name the report, typed replies reach the relay,
captions describe, what a report already says is confirmed rather than asked again, and a bare
"I lost my umbrella" gets one follow-up question."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from storage.models import Item
from tests.auxil.bot import BotHarness

OWNER, FINDER, OTHER = 111, 222, 333
SINHALA = re.compile("[\u0d80-\u0dff]")


@pytest.fixture
async def bot(core):
    async with BotHarness(core) as harness:
        yield harness


async def _press_through(bot: BotHarness, user: dict, *buttons: str) -> None:
    """Press these buttons in turn, then the remaining photo / category / submit steps."""
    for data in (*buttons, "skip", "cat:ok", "confirm:yes"):
        await bot.press(user, data)


async def _only_item(core, user_id: int) -> Item:
    async with core.sessions() as session:
        items = list(await session.scalars(select(Item).where(Item.user_id == user_id)))
    assert len(items) == 1
    return items[0]


# --- interface language --------------------------------------------------------------------


async def test_a_student_who_types_sinhala_is_answered_in_sinhala(bot: BotHarness, core) -> None:
    student = bot.user(OWNER, "Nimal", language="en")  # Telegram set to English
    calls = await bot.send(student, "/start")
    assert not SINHALA.search(bot.texts_to(student, calls)[0])

    calls = await bot.send(student, "පුස්තකාලයේදී මගේ කළු පසුම්බිය නැති වුණා")
    texts = bot.texts_to(student, calls)
    assert texts and all(SINHALA.search(text) for text in texts)
    assert (await core.users.get_user(OWNER)).language == "si"
    # one tap back to English, and the report goes on in English
    calls = await bot.press(student, "lang:en")
    assert "English" in bot.texts_to(student, calls)[0]
    calls = await bot.press(student, "kind:lost")
    next_step = re.sub(r"<b>.*?</b>", "", bot.texts_to(student, calls)[-1])  # minus the quote
    assert "in your report" in next_step and not SINHALA.search(next_step)
    # a choice made with the button is kept: more Sinhala does not switch again
    calls = await bot.send(student, "/lost")
    calls = await bot.send(student, "කැන්ටිමේදී නිල් කුඩයක් නැති වුණා")
    next_step = re.sub(r"<b>.*?</b>", "", bot.texts_to(student, calls)[-1])
    assert "in your report" in next_step and not SINHALA.search(next_step)
    assert (await core.users.get_user(OWNER)).language == "en"


async def test_singlish_and_english_do_not_switch_the_language(bot: BotHarness, core) -> None:
    student = bot.user(OWNER, language="en")
    calls = await bot.send(student, "library eke kalu wallet ekak nathi una")
    assert not any(SINHALA.search(text) for text in bot.texts_to(student, calls))
    assert (await core.users.get_user(OWNER)).language == "en"


# --- notifications ---------------------------------------------------------------------------


async def test_notification_names_the_owners_report_and_says_found(bot: BotHarness,
                                                                   core) -> None:
    owner, finder = bot.user(OWNER), bot.user(FINDER)
    await bot.report(owner, "lost", "Lost my blue umbrella with a wooden handle near the gym")
    lost = await _only_item(core, OWNER)
    calls = await bot.report(finder, "found", "Found a blue umbrella with a wooden handle at "
                             "the gym entrance")
    notice = [c.text for c in calls if c.chat_id == OWNER]
    assert notice, "the owner was not notified"
    assert f"for your lost umbrella, report #{lost.id}" in notice[0]
    assert "found" in notice[0].lower() and "handed in" not in notice[0]

    matches = await bot.report(bot.user(OTHER), "lost", "lost a blue umbrella, wooden handle, "
                               "gym")
    assert any("Found items that may be yours" in t for t in bot.texts_to(bot.user(OTHER),
                                                                            matches))


async def test_sinhala_owner_is_notified_in_sinhala_with_the_report(bot: BotHarness,
                                                                    core) -> None:
    owner, finder = bot.user(OWNER, language="si"), bot.user(FINDER)
    await bot.report(owner, "lost", "Lost my blue umbrella with a wooden handle near the gym")
    lost = await _only_item(core, OWNER)
    calls = await bot.report(finder, "found", "Found a blue umbrella with a wooden handle at "
                             "the gym entrance")
    notice = [c.text for c in calls if c.chat_id == OWNER][0]
    assert f"#{lost.id}" in notice and "කුඩය" in notice


# --- relay replies ---------------------------------------------------------------------------


async def _accepted_claim(bot: BotHarness) -> tuple[dict, dict]:
    owner, finder = bot.user(OWNER, "Amaya"), bot.user(FINDER, "Kasun")
    await bot.report(owner, "lost", "Lost my black Casio calculator in lecture hall 2")
    await bot.report(finder, "found", "Found a black Casio calculator in lecture hall 2")
    await bot.press(owner, "This is mine")
    await bot.press(finder, "c:")
    return owner, finder


async def test_a_reply_to_a_relayed_message_goes_to_the_other_party(bot: BotHarness) -> None:
    owner, finder = await _accepted_claim(bot)
    await bot.press(owner, "r:")
    await bot.send(owner, "Can we meet at the library at 3pm?")
    relayed = bot.api.last_to(FINDER)
    assert "3pm" in relayed.text

    calls = await bot.send(finder, "Yes, 3pm at the library entrance is fine", reply_to=relayed)
    to_owner = [c.text for c in calls if c.chat_id == OWNER]
    assert to_owner and "library entrance is fine" in to_owner[0]
    assert "Kasun" not in to_owner[0] and str(FINDER) not in to_owner[0]
    assert not any(d.startswith("kind:") for c in calls for _, d in c.buttons)


async def test_typing_while_a_conversation_is_open_asks_where_it_goes(bot: BotHarness) -> None:
    owner, finder = await _accepted_claim(bot)
    calls = await bot.send(finder, "I will wait near the canteen")
    assert not [c for c in calls if c.chat_id == OWNER], "nothing is sent before the choice"
    question = bot.api.last_to(FINDER)
    assert any(d.startswith("rt:") and d != "rt:new" for _, d in question.buttons)
    calls = await bot.press(finder, "Send to the owner")
    assert any("near the canteen" in c.text for c in calls if c.chat_id == OWNER)

    # the other choice: it was a new report after all
    await bot.send(finder, "Found a red water bottle in the gym")
    calls = await bot.press(finder, "rt:new")
    assert any(d == "kind:found" for c in calls for _, d in c.buttons)
    assert not any("water bottle" in c.text for c in bot.api.calls if c.chat_id == OWNER)


async def test_an_old_button_cannot_send_someone_elses_text(bot: BotHarness) -> None:
    owner, finder = await _accepted_claim(bot)
    await bot.send(finder, "see you at noon")
    _, data = bot.find_button(finder, "rt:")
    calls = await bot.press_data(bot.user(OTHER), data)  # a stranger with the same data
    assert bot.answers(calls) and not [c for c in calls if c.chat_id == OWNER]


# --- captions, prefill, follow-up ----------------------------------------------------------------


async def test_a_photo_with_a_caption_is_the_description(bot: BotHarness, core) -> None:
    finder = bot.user(FINDER)
    await bot.send(finder, "/found")
    calls = await bot.photo(finder, "bottle-photo")  # no caption: kept, words asked for
    assert "describe the item in words" in bot.texts_to(finder, calls)[0]
    calls = await bot.photo(finder, "bottle-photo", caption="Green Milton water bottle, "
                            "sticker of a cat, found on a bench")
    assert "Where" in bot.texts_to(finder, calls)[0]
    await bot.press(finder, "skip")
    calls = await bot.press(finder, "when:today")
    assert not any("photo" in t.lower() for t in bot.texts_to(finder, calls)), \
        "the photo was already sent"
    await bot.press(finder, "cat:ok")
    await bot.press(finder, "skip")
    await bot.press(finder, "confirm:yes")
    item = await _only_item(core, FINDER)
    assert item.text.startswith("Green Milton water bottle") and item.photo_file_id == "bottle-photo"


async def test_place_and_day_in_the_report_are_confirmed_not_asked(bot: BotHarness,
                                                                   core) -> None:
    student = bot.user(OWNER)
    await bot.send(student, "/lost")
    calls = await bot.send(student, "Lost my black Samsung phone in the library yesterday")
    place_question = bot.texts_to(student, calls)[-1]
    assert "library" in place_question and "Where?" not in place_question
    calls = await bot.press(student, "place:ok")
    when_question = bot.texts_to(student, calls)[-1]
    assert "yesterday" in when_question and "When?" not in when_question
    await bot.press(student, "when:ok")
    await bot.press(student, "skip")  # photo
    calls = await bot.press(student, "cat:ok")
    summary = bot.texts_to(student, calls)[-1]
    assert "library" in summary and "yesterday" in summary
    await bot.press(student, "confirm:yes")
    item = await _only_item(core, OWNER)
    assert "library" in (item.place or "")
    assert item.happened_on == dt.date.today() - dt.timedelta(days=1)


async def test_what_was_read_can_be_corrected(bot: BotHarness, core) -> None:
    student = bot.user(OWNER)
    await bot.send(student, "/lost")
    await bot.send(student, "Lost my black Samsung phone in the library today")
    await bot.send(student, "Science faculty canteen")  # typing corrects the place
    await _press_through(bot, student, "when:yesterday")  # another day than the one read
    item = await _only_item(core, OWNER)
    assert item.place == "Science faculty canteen"
    assert item.happened_on == dt.date.today() - dt.timedelta(days=1)


async def test_a_bare_item_gets_one_follow_up_added_to_the_description(bot: BotHarness,
                                                                        core) -> None:
    student = bot.user(OWNER)
    await bot.send(student, "/lost")
    calls = await bot.send(student, "lost my umbrella")
    follow_up = bot.api.last_to(OWNER)
    assert "umbrella" in follow_up.text and "colour" in follow_up.text.lower()
    assert any(d == "detail:skip" for _, d in follow_up.buttons)
    calls = await bot.send(student, "navy blue, a broken spoke, my initials K.P. on the strap")
    assert "Where?" in bot.texts_to(student, calls)[-1]
    await _press_through(bot, student, "skip", "when:today")
    item = await _only_item(core, OWNER)
    assert item.text.startswith("lost my umbrella") and "K.P." in item.text


async def test_the_follow_up_can_be_skipped_and_is_not_asked_when_detailed(
        bot: BotHarness, core) -> None:
    student = bot.user(OWNER)
    await bot.send(student, "/lost")
    await bot.send(student, "lost my umbrella")
    calls = await bot.press(student, "detail:skip")
    assert "Where?" in bot.texts_to(student, calls)[-1]
    nothing_to_add = bot.user(OTHER + 1)
    await bot.send(nothing_to_add, "/lost")
    await bot.send(nothing_to_add, "mage phone eka nathi una")  # Singlish, only the item
    calls = await bot.send(nothing_to_add, "epa")  # "no": like Skip, nothing added
    assert "Where?" in bot.texts_to(nothing_to_add, calls)[-1]
    await _press_through(bot, nothing_to_add, "skip", "when:today")
    assert (await _only_item(core, OTHER + 1)).text == "mage phone eka nathi una"

    detailed = bot.user(OTHER)
    await bot.send(detailed, "/lost")
    calls = await bot.send(detailed, "lost my red Samsung phone with a cracked screen")
    assert not any(d == "detail:skip" for c in calls for _, d in c.buttons)
    finder = bot.user(FINDER)  # found reports are never asked
    await bot.send(finder, "/found")
    calls = await bot.send(finder, "found an umbrella")
    assert not any(d == "detail:skip" for c in calls for _, d in c.buttons)


# --- nothing technical in the chat ---------------------------------------------------------------


async def test_a_crash_during_retraining_shows_no_error_text(bot: BotHarness, caplog) -> None:
    from bot.handlers.admin import retrainer
    from tests.conftest import ADMIN_ID

    async def crash(progress) -> dict:
        raise RuntimeError("(sqlite3.IntegrityError) UNIQUE constraint failed: embeddings.item_id"
                           "\n[SQL: INSERT INTO embeddings ...]")

    retrainer(bot.app).run = crash
    await bot.send(bot.user(ADMIN_ID), "/retrain")
    await bot.app.bot_data["retrain_task"]
    chat = " ".join(c.text for c in bot.api.calls if c.chat_id == ADMIN_ID)
    assert "Retraining failed, nothing changed" in chat and "log" in chat
    assert "IntegrityError" not in chat and "SQL" not in chat and "Traceback" not in chat
    assert "IntegrityError" in caplog.text  # the details are logged


async def test_a_sinhala_report_is_confirmed_in_its_own_words(bot: BotHarness, core) -> None:
    student = bot.user(OWNER, language="si")
    await bot.send(student, "/lost")
    calls = await bot.send(student, "ඊයේ පුස්තකාලයේදී මගේ කළු පසුම්බිය නැති වුණා")
    question = bot.texts_to(student, calls)[-1]
    assert "පුස්තකාලයේදී" in question and SINHALA.search(question.replace("පුස්තකාලයේදී", ""))
    calls = await bot.press(student, "place:ok")
    assert "ඊයේ" in bot.texts_to(student, calls)[-1]
    await _press_through(bot, student, "when:ok")
    item = await _only_item(core, OWNER)
    assert item.place == "පුස්තකාලයේදී"
    assert item.happened_on == dt.date.today() - dt.timedelta(days=1)

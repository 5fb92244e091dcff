"""Reporting a lost or found item, one step per handler. The flow is wired in bot/app.py."""

from __future__ import annotations

import datetime as dt
import logging
import re

from telegram import Update
from telegram.ext import ConversationHandler

from bot import keyboards
from bot.handlers.common import Context, button, core_of, error_text, esc, lang, reply
from bot.handlers.notify import notify_owners, send_matches
from bot.i18n import category_name, t
from bot.states import (
    ASK_KIND,
    CATEGORY,
    CONFIRM,
    DESCRIPTION,
    PHOTO,
    PLACE,
    QUESTION,
    WHEN,
)
from hoyamu.reports import ReportInput
from hoyamu.validation import InvalidInput, clean_description
from matcher.lexicon import CATEGORIES, detect_category
from storage.db import is_unavailable

log = logging.getLogger(__name__)
END = ConversationHandler.END


def _draft(context: Context) -> dict:
    return context.user_data.setdefault("draft", {})


async def _ask_description(update: Update, context: Context, kind: str) -> int:
    context.user_data["draft"] = {"kind": kind}
    await reply(update, t(lang(context), f"ask_description_{kind}"))
    return DESCRIPTION


async def start_lost(update: Update, context: Context) -> int:
    """/lost"""
    return await _ask_description(update, context, "lost")


async def start_found(update: Update, context: Context) -> int:
    """/found"""
    return await _ask_description(update, context, "found")


@button
async def start_from_menu(update: Update, context: Context) -> int:
    """The "I lost / I found something" buttons."""
    return await _ask_description(update, context, update.callback_query.data.split(":")[1])


async def free_text(update: Update, context: Context) -> int:
    """A plain message outside a conversation: ask whether it was lost or found."""
    text = update.message.text
    try:
        cleaned = clean_description(text, core_of(context).settings.max_text_length)
    except InvalidInput as exc:
        await reply(update, error_text(lang(context), exc))
        return END
    context.user_data["draft"] = {"text": cleaned}
    await reply(update, t(lang(context), "ask_kind", text=esc(cleaned[:300])),
                keyboards.ask_kind(lang(context)))
    return ASK_KIND


@button
async def kind_chosen(update: Update, context: Context) -> int:
    _draft(context)["kind"] = update.callback_query.data.split(":")[1]
    if "text" not in _draft(context):
        return await _ask_description(update, context, _draft(context)["kind"])
    return await _ask_place(update, context)


async def description(update: Update, context: Context) -> int:
    try:
        text = clean_description(update.message.text, core_of(context).settings.max_text_length)
    except InvalidInput as exc:
        await reply(update, error_text(lang(context), exc))
        return DESCRIPTION
    _draft(context)["text"] = text
    return await _ask_place(update, context)


async def _ask_place(update: Update, context: Context) -> int:
    await reply(update, t(lang(context), "ask_place"), keyboards.skip(lang(context)))
    return PLACE


async def place(update: Update, context: Context) -> int:
    _draft(context)["place"] = update.message.text[:200]
    return await _ask_when(update, context)


@button
async def skip_place(update: Update, context: Context) -> int:
    return await _ask_when(update, context)


async def _ask_when(update: Update, context: Context) -> int:
    await reply(update, t(lang(context), "ask_when"), keyboards.when(lang(context)))
    return WHEN


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """25/11, 25.11.2026, 2026-11-25 -> a date (this year when the year is missing)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        year, month, day = (int(p) for p in text.split("-"))
    elif match := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?", text):
        day, month = int(match[1]), int(match[2])
        year = int(match[3]) if match[3] else today.year
        year = year + 2000 if year < 100 else year
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


async def when_typed(update: Update, context: Context) -> int:
    today = dt.date.today()
    day = parse_date(update.message.text, today)
    if day is None:
        await reply(update, t(lang(context), "bad_date"), keyboards.when(lang(context)))
        return WHEN
    if day > today:
        await reply(update, t(lang(context), "future_date"), keyboards.when(lang(context)))
        return WHEN
    _draft(context)["when"] = day.isoformat()
    return await _ask_photo(update, context)


@button
async def when_chosen(update: Update, context: Context) -> int:
    choice = update.callback_query.data
    if choice != "skip":
        offset = 0 if choice == "when:today" else 1
        _draft(context)["when"] = (dt.date.today() - dt.timedelta(days=offset)).isoformat()
    return await _ask_photo(update, context)


async def _ask_photo(update: Update, context: Context) -> int:
    kind = _draft(context).get("kind", "lost")
    await reply(update, t(lang(context), f"ask_photo_{kind}"), keyboards.skip(lang(context)))
    return PHOTO


async def photo(update: Update, context: Context) -> int:
    draft = _draft(context)
    draft["photo"] = update.message.photo[-1].file_id
    if update.message.caption and not draft.get("text"):
        draft["text"] = update.message.caption
    return await _ask_category(update, context)


@button
async def skip_photo(update: Update, context: Context) -> int:
    return await _ask_category(update, context)


async def _ask_category(update: Update, context: Context) -> int:
    draft = _draft(context)
    draft["category"] = detect_category(draft["text"])
    await reply(update, t(lang(context), "ask_category",
                          category=category_name(lang(context), draft["category"])),
                keyboards.confirm_category(lang(context)))
    return CATEGORY


@button
async def category_chosen(update: Update, context: Context) -> int:
    choice = update.callback_query.data.split(":")[1]
    if choice == "change":
        await reply(update, t(lang(context), "choose_category"), keyboards.categories(lang(context)))
        return CATEGORY
    if choice != "ok":
        index = int(choice) if choice.isascii() and choice.isdigit() else -1
        if not 0 <= index < len(CATEGORIES):
            raise InvalidInput("stale", "This button is no longer active.")
        _draft(context)["category"] = CATEGORIES[index]
    if _draft(context).get("kind") == "found":
        await reply(update, t(lang(context), "ask_question"), keyboards.skip(lang(context)))
        return QUESTION
    return await _summary(update, context)


async def question(update: Update, context: Context) -> int:
    _draft(context)["question"] = update.message.text[:300]
    return await _summary(update, context)


@button
async def skip_question(update: Update, context: Context) -> int:
    return await _summary(update, context)


def _when_label(language: str, iso: str | None) -> str:
    if not iso:
        return t(language, "not_given")
    day = dt.date.fromisoformat(iso)
    today = dt.date.today()
    if day == today:
        return t(language, "today")
    if day == today - dt.timedelta(days=1):
        return t(language, "yesterday")
    return day.strftime("%d/%m/%Y")


async def _summary(update: Update, context: Context) -> int:
    draft, language = _draft(context), lang(context)
    question_line = (t(language, "summary_question", question=esc(draft["question"]))
                     if draft.get("question") else "")
    text = t(language, "summary", kind_label=t(language, f"kind_{draft['kind']}"),
             text=esc(draft["text"]), place=esc(draft.get("place")) or t(language, "not_given"),
             when=_when_label(language, draft.get("when")),
             category=category_name(language, draft["category"]),
             photo=t(language, "yes" if draft.get("photo") else "no"), question=question_line)
    await reply(update, text, keyboards.confirm(language))
    return CONFIRM


@button
async def submit(update: Update, context: Context) -> int:
    """Store the report; a lost one gets its matches, a found one notifies the owners."""
    draft, language = _draft(context), lang(context)
    if not draft.get("text") or not draft.get("kind"):
        raise InvalidInput("stale", "This button is no longer active.")
    data = ReportInput(
        kind=draft["kind"], text=draft["text"], category=draft.get("category"),
        place=draft.get("place"), photo_file_id=draft.get("photo"),
        happened_on=dt.date.fromisoformat(draft["when"]) if draft.get("when") else None,
        verify_question=draft.get("question"), user_id=update.effective_user.id)
    try:
        result = await core_of(context).reports.report(data)
    except InvalidInput as exc:
        await reply(update, error_text(language, exc))
        return CONFIRM if exc.code != "rate_limited" else END
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("database busy while saving a report of user %s", update.effective_user.id,
                    exc_info=True)
        await reply(update, t(language, "err_busy"), keyboards.confirm(language))
        return CONFIRM
    context.user_data.pop("draft", None)
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, t(language, "saved", id=result.item.id))
    if result.item.kind == "lost":
        await send_matches(context, update.effective_chat.id, language, result.matches)
    else:
        count = await notify_owners(context, result.item, result.matches)
        await reply(update, t(language, "found_notified" if count else "found_none", count=count))
    return END


@button
async def cancel_button(update: Update, context: Context) -> int:
    context.user_data.pop("draft", None)
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, t(lang(context), "cancelled"))
    return END


async def not_text(update: Update, context: Context) -> None:
    """Something other than the text this step expects (a sticker, a file...)."""
    await reply(update, t(lang(context), "not_text"))

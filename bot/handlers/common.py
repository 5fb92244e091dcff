"""Helpers every handler shares: the core, the user's language, replies, friendly errors."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.i18n import t
from hoyamu.claims import ClaimService
from hoyamu.core import Core
from hoyamu.validation import InvalidInput

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Awaitable[Any]]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
MAX_ID = 2**31 - 1  # row ids are 32-bit integers on PostgreSQL; larger ones cannot exist


def core_of(context: Context) -> Core:
    return context.bot_data["core"]


def claims(context: Context) -> ClaimService:
    return core_of(context).claims


def lang(context: Context) -> str:
    return (context.user_data or {}).get("lang", "en")


async def language_of(context: Context, user_id: int) -> str:
    """The interface language of another user (the one pressing is `lang(context)`)."""
    return (await core_of(context).users.get_user(user_id)).language or "en"


def esc(text: str | None) -> str:
    return html.escape(text or "")


def error_text(language: str, error: InvalidInput) -> str:
    """The translated message for a service error, falling back to its own words."""
    key = f"err_{error.code}"
    try:
        return t(language, key, **error.params)
    except KeyError:
        return esc(error.message)


async def send(context: Context, chat_id: int, text: str, keyboard: Markup | None = None) -> None:
    await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                   reply_markup=keyboard, disable_web_page_preview=True)


async def reply(update: Update, text: str, keyboard: Markup | None = None) -> None:
    """Answer in the chat the update came from."""
    await update.effective_chat.send_message(text, parse_mode=ParseMode.HTML,
                                             reply_markup=keyboard,
                                             disable_web_page_preview=True)


def button(handler: Handler) -> Handler:
    """For callback-query handlers: the query is always answered exactly once, with the note set
    by `toast()` or, when the service refuses, with the translated reason."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> Any:
        query = update.callback_query
        context.user_data.pop("_toast", None)
        try:
            if not query.data:  # no real button has empty data; PTB would route it anywhere
                raise InvalidInput("stale", "This button is no longer active.")
            result = await handler(update, context)
        except InvalidInput as exc:
            log.info("button %r refused for user %s: %s", query.data, update.effective_user.id,
                     exc.code)
            await query.answer(error_text(lang(context), exc)[:190])
            return None
        note = context.user_data.pop("_toast", None)
        await query.answer(note[:190] if note else None)
        return result

    return wrapper


def toast(context: Context, text: str) -> None:
    """A short note shown on the pressed button's answer."""
    context.user_data["_toast"] = text


def parse_ints(data: str, prefix: str) -> list[int]:
    """The integer fields of callback data like 'v:12:1' (prefix 'v'); InvalidInput if malformed."""
    parts = data.split(":")
    if parts[0] != prefix:
        raise InvalidInput("stale", "This button is no longer active.")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError as exc:
        raise InvalidInput("stale", "This button is no longer active.") from exc
    if not all(0 <= n <= MAX_ID for n in numbers):  # forged: no row has such an id
        raise InvalidInput("stale", "This button is no longer active.")
    return numbers

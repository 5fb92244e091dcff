"""/start, /help, /language, /cancel, unknown commands, and the user gate in front of all."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from bot import keyboards
from bot.handlers.common import Context, button, core_of, lang, reply
from bot.i18n import t

log = logging.getLogger(__name__)


async def load_user(update: Update, context: Context) -> None:
    """Runs before every handler: remembers the user's language, refuses banned users."""
    user = update.effective_user
    if user is None or user.is_bot or update.effective_chat is None:
        raise ApplicationHandlerStop  # channel posts, service updates: nothing to answer
    if update.effective_chat.type != "private":
        raise ApplicationHandlerStop  # Hoyamu works in private chats only
    row = await core_of(context).users.get_user(user.id, user.language_code)
    context.user_data["lang"] = row.language or "en"
    if row.is_banned:
        log.warning("banned user %s refused", user.id)
        if update.callback_query:
            await update.callback_query.answer(t(row.language, "banned"))
        elif update.effective_message:
            await reply(update, t(row.language, "banned"))
        raise ApplicationHandlerStop


async def start(update: Update, context: Context) -> int:
    await reply(update, t(lang(context), "welcome"), keyboards.main_menu(lang(context)))
    return ConversationHandler.END


async def help_command(update: Update, context: Context) -> None:
    await reply(update, t(lang(context), "help"), keyboards.main_menu(lang(context)))


async def language_command(update: Update, context: Context) -> None:
    await reply(update, t(lang(context), "choose_language"), keyboards.languages())


@button
async def language_menu(update: Update, context: Context) -> None:
    await reply(update, t(lang(context), "choose_language"), keyboards.languages())


@button
async def language_chosen(update: Update, context: Context) -> None:
    code = update.callback_query.data.split(":")[1]
    if code not in ("en", "si"):
        return
    await core_of(context).users.set_language(update.effective_user.id, code)
    context.user_data["lang"] = code
    await reply(update, t(code, "language_set"), keyboards.main_menu(code))


async def cancel(update: Update, context: Context) -> int:
    had_draft = bool(context.user_data.pop("draft", None))
    for key in ("claim_match", "relay_claim"):
        had_draft = bool(context.user_data.pop(key, None)) or had_draft
    await reply(update, t(lang(context), "cancelled" if had_draft else "nothing_to_cancel"))
    return ConversationHandler.END


async def stray_message(update: Update, context: Context) -> None:
    """A photo, sticker or file outside a report: say how to start one."""
    await reply(update, t(lang(context), "stray_message"), keyboards.main_menu(lang(context)))


async def unknown_command(update: Update, context: Context) -> None:
    await reply(update, t(lang(context), "unknown_command"))


@button
async def stale_button(update: Update, context: Context) -> None:
    """Any button no other handler takes: an old message's, or forged data."""
    from hoyamu.validation import InvalidInput

    raise InvalidInput("stale", "This button is no longer active.")

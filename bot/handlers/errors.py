"""The error handler: log with context (never the token), tell the user something went wrong."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.handlers.common import Context, lang
from bot.i18n import t
from storage.db import is_unavailable

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    user_id = getattr(getattr(update, "effective_user", None), "id", None)
    update_id = getattr(update, "update_id", None)
    busy = is_unavailable(error)
    if busy:  # expected now and then: the user is asked to try again, nothing was half-stored
        log.warning("database unavailable for update %s from user %s: %r", update_id, user_id,
                    error)
    else:
        log.error("error handling update %s from user %s: %r", update_id, user_id, error,
                  exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    text = t(lang(context) if context.user_data is not None else "en",
             "err_busy" if busy else "err_generic")
    try:
        if update.callback_query:
            await update.callback_query.answer(text[:190])
        await update.effective_chat.send_message(text)
    except TelegramError:
        log.warning("could not tell user %s about the error", user_id)

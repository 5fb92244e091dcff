"""Admin commands (ADMIN_IDS only): /stats and /reindex. Anyone else is refused and logged."""

from __future__ import annotations

import functools
import logging

from telegram import Update

from bot.handlers.common import Context, Handler, lang, reply, service
from bot.i18n import t

log = logging.getLogger(__name__)


def admin_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        user_id = update.effective_user.id
        if user_id not in service(context).settings.admin_ids:
            log.warning("user %s tried admin command %r", user_id,
                        (update.effective_message.text or "")[:40])
            await reply(update, t(lang(context), "admin_only"))
            return None
        return await handler(update, context)

    return wrapper


@admin_only
async def stats(update: Update, context: Context) -> None:
    numbers = await service(context).stats()
    await reply(update, t(lang(context), "stats", **numbers))


@admin_only
async def reindex(update: Update, context: Context) -> None:
    count = await service(context).reindex()
    await reply(update, t(lang(context), "reindexed", count=count))

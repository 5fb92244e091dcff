"""Scheduled work (job queue): expiry reminders a week before, then expiry itself."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot import keyboards
from bot.handlers.common import Context, esc, send, service
from bot.i18n import t

log = logging.getLogger(__name__)


async def expiry(context: Context) -> None:
    svc = service(context)
    for item in await svc.reminders_due():
        language = (await svc.get_user(item.user_id)).language or "en"
        try:
            await send(context, item.user_id, t(language, "reminder", id=item.id,
                                                text=esc(item.text[:200]),
                                                expires=item.expires_at.strftime("%d/%m/%Y")),
                       keyboards.my_item(language, item.id, extend=True))
        except TelegramError:
            log.info("could not remind user %s about item %s", item.user_id, item.id)
    for item in await svc.expire_due():
        if item.user_id is None:
            continue
        language = (await svc.get_user(item.user_id)).language or "en"
        try:
            await send(context, item.user_id, t(language, "expired", id=item.id,
                                                text=esc(item.text[:200])))
        except TelegramError:
            log.info("could not tell user %s that item %s expired", item.user_id, item.id)

"""Scheduled work (job queue): expiry reminders a week before, then expiry itself."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import TelegramError

from bot import keyboards
from bot.handlers.common import Context, core_of, esc, send
from bot.i18n import t

log = logging.getLogger(__name__)


async def expiry(context: Context) -> None:
    core = core_of(context)
    for item in await core.items.reminders_due():
        language = (await core.users.get_user(item.user_id)).language or "en"
        try:
            await send(context, item.user_id, t(language, "reminder", id=item.id,
                                                text=esc(item.text[:200]),
                                                expires=item.expires_at.strftime("%d/%m/%Y")),
                       keyboards.my_item(language, item.id, extend=True))
        except TelegramError:
            log.info("could not remind user %s about item %s", item.user_id, item.id)
    for item in await core.items.expire_due():
        if item.user_id is None:
            continue
        language = (await core.users.get_user(item.user_id)).language or "en"
        try:
            await send(context, item.user_id, t(language, "expired", id=item.id,
                                                text=esc(item.text[:200])))
        except TelegramError:
            log.info("could not tell user %s that item %s expired", item.user_id, item.id)


async def auto_retrain(context: Context) -> None:
    """RETRAIN_AFTER_PAIRS new feedback pairs, or RETRAIN_EVERY_DAYS days: retrain, tell admins."""
    import datetime as dt

    from bot.handlers.admin import retrainer
    from training.pairs import load_pairs

    core = context.bot_data["core"]
    settings, store = core.settings, core.store
    if retrainer(context).running:
        return
    await core.feedback.fold()
    pairs = load_pairs(settings.text_pairs_path) if settings.text_pairs_path.exists() else []
    metrics = store.metrics(core.serving.runtime.version)
    trained_on = metrics.get("data", {}).get("pairs") or sum(p.source == "seed" for p in pairs)
    due_pairs = settings.retrain_after_pairs > 0 and (
        len(pairs) - trained_on >= settings.retrain_after_pairs)
    folder = store.dir / core.serving.runtime.version
    age = dt.datetime.now().timestamp() - (folder.stat().st_mtime if folder.exists() else 0)
    due_days = settings.retrain_every_days > 0 and age >= settings.retrain_every_days * 86400
    if not (due_pairs or due_days):
        return
    log.info("automatic retraining: %d new pairs, model %.1f days old",
             len(pairs) - trained_on, age / 86400)

    async def progress(event: dict) -> None:
        log.info("automatic retraining: %s", event)

    final = await retrainer(context).run(progress)
    for admin_id in settings.admin_ids:
        try:
            await send(context, admin_id, f"Automatic retraining: {final.get('event')} "
                                          f"{final.get('version', final.get('message', ''))}")
        except TelegramError:
            log.info("could not tell admin %s about the automatic retraining", admin_id)


async def refresh_index(context: Context) -> None:
    """INDEX_REFRESH_SECONDS: catch the index up with reports other processes stored or closed,
    and serve a model that another process promoted (data/models/CURRENT changed)."""
    core = context.bot_data["core"]
    serving = core.serving
    pointer = core.store.dir / "CURRENT"
    current = (await asyncio.to_thread(pointer.read_text)).strip() if pointer.exists() else None
    if current and current != serving.runtime.version:
        from bot.handlers.admin import ops
        from matcher.encoder import ModelLoadError

        log.info("data/models/CURRENT names %s; switching from %s", current, serving.runtime.version)
        try:
            await ops(context).promote(current)
        except ModelLoadError:
            log.warning("cannot serve %s named in CURRENT; still serving %s", current,
                        serving.runtime.version, exc_info=True)
    changes = await serving.refresh_index()
    if changes:
        log.info("index refresh: %d items added or removed", changes)

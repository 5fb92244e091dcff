"""Scheduled work (job queue): expiry reminders a week before, then expiry itself; hand-backs
the owner has not confirmed (a reminder half-way, then closed as returned)."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot import keyboards
from bot.handlers.admin import bad_pairs_text
from bot.handlers.common import Context, core_of, esc, language_of, send
from bot.i18n import t

log = logging.getLogger(__name__)


async def expiry(context: Context) -> None:
    core = core_of(context)
    for item in await core.items.reminders_due():
        language = await language_of(context, item.user_id)
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
        language = await language_of(context, item.user_id)
        try:
            await send(context, item.user_id, t(language, "expired", id=item.id,
                                                text=esc(item.text[:200])))
        except TelegramError:
            log.info("could not tell user %s that item %s expired", item.user_id, item.id)


async def handbacks(context: Context) -> None:
    """HANDBACK_CONFIRM_HOURS after the finder's "handed over": remind the owner half-way, then
    close the hand-back as returned and tell both."""
    core = core_of(context)
    hours = core.settings.handback_confirm_hours
    remind, closed = await core.claims.handbacks_due()
    for view in remind:
        owner = view.claim.claimant_id
        language = await language_of(context, owner)
        try:
            await send(context, owner, t(language, "handback_reminder", hours=(hours + 1) // 2,
                                         text=esc(view.found.text[:200])),
                       keyboards.confirm_handback(language, view.claim.id))
        except TelegramError:
            log.info("could not remind owner %s about claim %s", owner, view.claim.id)
    for view in closed:
        for user_id, key in ((view.claim.claimant_id, "handback_closed_owner"),
                             (view.claim.finder_id, "handback_closed_finder")):
            language = await language_of(context, user_id)
            try:
                await send(context, user_id, t(language, key, text=esc(view.found.text[:200])))
            except TelegramError:
                log.info("could not tell user %s that claim %s closed", user_id, view.claim.id)


async def auto_retrain(context: Context) -> None:
    """RETRAIN_AFTER_PAIRS new feedback pairs, or RETRAIN_EVERY_DAYS days: retrain, tell admins
    (the rule is `hoyamu/retrain.py:Retrainer.due`)."""
    core = core_of(context)
    if core.retrainer.running:
        return

    async def progress(event: dict) -> None:
        log.info("automatic retraining: %s", event)

    final = await core.retrainer.run(progress, only_if_due=True)
    if final is None:
        return
    for admin_id in core.settings.admin_ids:
        try:
            if final.get("file"):  # the pairs file is broken: say which entry and what to do
                language = await language_of(context, admin_id)
                await send(context, admin_id, bad_pairs_text(language, final))
                continue
            await send(context, admin_id, f"Automatic retraining: {final.get('event')} "
                                          f"{final.get('version', final.get('message', ''))}")
        except TelegramError:
            log.info("could not tell admin %s about the automatic retraining", admin_id)


async def refresh_index(context: Context) -> None:
    """INDEX_REFRESH_SECONDS: serve the model `data/models` names (another process may have
    promoted one), then catch the index up with reports other processes stored or closed."""
    from matcher.encoder import ModelLoadError

    core = core_of(context)
    try:
        await core.modelops.follow_store()
    except ModelLoadError:
        log.warning("cannot serve the model data/models names; still serving %s",
                    core.serving.runtime.version, exc_info=True)
    changes = await core.serving.refresh_index()
    if changes:
        log.info("index refresh: %d items added or removed", changes)

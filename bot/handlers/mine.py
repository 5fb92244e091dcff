"""/mine: the user's open reports, with buttons to mark returned, close, delete (after asking) or
keep open. A claim on a report that closes ends, and the other person is told."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import keyboards
from bot.handlers.common import (
    Context,
    button,
    core_of,
    esc,
    lang,
    language_of,
    parse_ints,
    reply,
    send,
    toast,
)
from bot.i18n import category_name, t
from hoyamu.claims import ClaimView
from hoyamu.validation import InvalidInput
from storage.models import ClaimStatus, Status

log = logging.getLogger(__name__)

ACTIONS = {"ret": (Status.RETURNED, "item_returned"), "close": (Status.CLOSED, "item_closed"),
           "delok": (Status.DELETED, "item_deleted")}


async def mine(update: Update, context: Context) -> None:
    language = lang(context)
    items = await core_of(context).items.user_items(update.effective_user.id)
    if not items:
        await reply(update, t(language, "mine_empty"))
        return
    for item in items[:20]:
        text = t(language, "mine_item", id=item.id, kind_label=t(language, f"kind_{item.kind}"),
                 category=category_name(language, item.category), text=esc(item.text[:300]),
                 expires=item.expires_at.strftime("%d/%m/%Y") if item.expires_at else "—")
        await reply(update, text, keyboards.my_item(language, item.id))


@button
async def mine_menu(update: Update, context: Context) -> None:
    await mine(update, context)


@button
async def item_action(update: Update, context: Context) -> None:
    """i:<item>:ret|close|del|delok|keep|ext; only the report's owner may act on it."""
    parts = update.callback_query.data.split(":")
    (item_id,) = parse_ints(":".join(parts[:2]), "i")
    action = parts[2] if len(parts) == 3 else ""
    user_id, language = update.effective_user.id, lang(context)
    items = core_of(context).items
    if action == "del":  # ask first: a delete cannot be undone
        item = await items.check_owner(item_id, user_id)
        await reply(update, t(language, "confirm_delete", id=item.id),
                    keyboards.confirm_delete(language, item.id))
        return
    if action == "keep":
        item = await items.check_owner(item_id, user_id)
        note = t(language, "item_kept", id=item.id)
    elif action == "ext":
        item = await items.extend(item_id, user_id)
        note = t(language, "item_extended", id=item.id,
                 expires=item.expires_at.strftime("%d/%m/%Y"))
    elif action in ACTIONS:
        status, key = ACTIONS[action]
        change = await items.set_status(item_id, status, user_id=user_id)
        note = t(language, key, id=change.item.id)
        await _tell_other_sides(context, change.ended, user_id)
    else:
        raise InvalidInput("stale", "This button is no longer active.")
    await update.callback_query.edit_message_reply_markup(None)
    toast(context, note)
    await reply(update, note)


async def _tell_other_sides(context: Context, ended: list[ClaimView], user_id: int) -> None:
    """Each claim that ended with the report: the other person learns why."""
    for view in ended:
        other = view.other_party(user_id)
        if other is None:
            continue
        language = await language_of(context, other)
        key = "returned_done" if view.claim.status == ClaimStatus.RETURNED else "claim_ended"
        try:
            await send(context, other, t(language, key, text=esc(view.found.text[:200])))
        except TelegramError:
            log.info("could not tell user %s that claim %s ended", other, view.claim.id)

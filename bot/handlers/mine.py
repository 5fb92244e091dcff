"""/mine: the user's open reports, with buttons to mark returned, close, delete or keep open."""

from __future__ import annotations

from telegram import Update

from bot import keyboards
from bot.handlers.common import Context, button, core_of, esc, lang, parse_ints, reply, toast
from bot.i18n import category_name, t
from hoyamu.validation import InvalidInput
from storage.models import Status

ACTIONS = {"ret": (Status.RETURNED, "item_returned"), "close": (Status.CLOSED, "item_closed"),
           "del": (Status.DELETED, "item_deleted")}


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
    """i:<item>:ret|close|del|ext; only the report's owner may act on it."""
    parts = update.callback_query.data.split(":")
    (item_id,) = parse_ints(":".join(parts[:2]), "i")
    action = parts[2] if len(parts) == 3 else ""
    user_id, language = update.effective_user.id, lang(context)
    if action == "ext":
        item = await core_of(context).items.extend(item_id, user_id)
        note = t(language, "item_extended", id=item.id,
                 expires=item.expires_at.strftime("%d/%m/%Y"))
    elif action in ACTIONS:
        status, key = ACTIONS[action]
        item = await core_of(context).items.set_status(item_id, status, user_id=user_id)
        note = t(language, key, id=item.id)
    else:
        raise InvalidInput("stale", "This button is no longer active.")
    await update.callback_query.edit_message_reply_markup(None)
    toast(context, note)
    await reply(update, note)

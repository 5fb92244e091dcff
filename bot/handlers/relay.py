"""Typed messages while a hand-back conversation is open: they go to the other party (a reply to
a relayed message), or the student is asked, instead of silently starting a new report."""

from __future__ import annotations

import logging
import re

from telegram import Message, Update
from telegram.ext import ConversationHandler

from bot import keyboards
from bot.handlers import report
from bot.handlers.common import (
    Context,
    button,
    claims,
    esc,
    lang,
    language_of,
    parse_ints,
    reply,
    send,
)
from bot.i18n import t
from hoyamu.validation import InvalidInput

log = logging.getLogger(__name__)
END = ConversationHandler.END
RELAY_BUTTON = re.compile(r"^r:(\d+)$")
MAX_RELAYED = 3000


async def deliver(update: Update, context: Context, claim_id: int, text: str) -> None:
    """Pass one message to the other party of an accepted claim, without the sender's identity."""
    user_id = update.effective_user.id
    view = await claims(context).active(claim_id, user_id)
    other = view.other_party(user_id)
    other_lang = await language_of(context, other)
    from_owner = user_id == view.claim.claimant_id
    key = "relay_from_owner" if from_owner else "relay_from_finder"
    await send(context, other, t(other_lang, key, text=esc(text[:MAX_RELAYED])),
               keyboards.handback(other_lang, claim_id, owner=not from_owner))
    await reply(update, t(lang(context), "relay_sent"),
                keyboards.handback(lang(context), claim_id, owner=from_owner))


def _replied_claim(message: Message) -> int | None:
    """The claim of the bot message this one replies to (its "Send a message" button), if any.
    Only a hint: `deliver` checks that the claim is open and the sender is one of its parties."""
    replied = message.reply_to_message
    if replied is None or replied.reply_markup is None:
        return None
    for row in replied.reply_markup.inline_keyboard:
        for key in row:
            if isinstance(key.callback_data, str) and (found := RELAY_BUTTON.match(
                    key.callback_data)):
                return int(found[1])
    return None


async def typed(update: Update, context: Context) -> int:
    """Free text outside a step. A reply to a relayed message goes to that conversation; with a
    conversation open, the student chooses where it goes; otherwise it starts a report."""
    text, user_id = update.message.text, update.effective_user.id
    claim_id = _replied_claim(update.message)
    if claim_id is not None:
        try:
            await deliver(update, context, claim_id, text)
            return END
        except InvalidInput as exc:  # that conversation is closed: treat it as any text
            log.info("reply to closed conversation %s by user %s: %s", claim_id, user_id, exc.code)
    conversations = await claims(context).conversations(user_id)
    if not conversations:
        return await report.free_text(update, context)
    language = lang(context)
    context.user_data["pending_text"] = text[:MAX_RELAYED]
    several = len(conversations) > 1
    lines, buttons = [], []
    for number, view in enumerate(conversations, 1):
        whom = t(language, "whom_finder" if user_id == view.claim.claimant_id else "whom_owner")
        if several:
            lines.append(t(language, "relay_line", number=number, whom=whom,
                           item=esc(view.found.text[:80])))
        label = t(language, "btn_relay_send", whom=whom) + (f" ({number})" if several else "")
        buttons.append((label, f"rt:{view.claim.id}"))
    await reply(update, t(language, "relay_or_report", text=esc(text[:300]),
                          conversations="".join(lines)),
                keyboards.relay_or_report(language, buttons))
    return END


@button
async def send_pending(update: Update, context: Context) -> None:
    """"Send to the finder/owner": the text typed just before goes to that conversation."""
    (claim_id,) = parse_ints(update.callback_query.data, "rt")
    text = context.user_data.pop("pending_text", None)
    if text is None:
        raise InvalidInput("stale", "This button is no longer active.")
    await update.callback_query.edit_message_reply_markup(None)
    await deliver(update, context, claim_id, text)


@button
async def pending_is_report(update: Update, context: Context) -> int:
    """"It is a new report": continue as if the text had been typed with no conversation open."""
    text = context.user_data.pop("pending_text", None)
    if text is None:
        raise InvalidInput("stale", "This button is no longer active.")
    await update.callback_query.edit_message_reply_markup(None)
    return await report.start_with_text(update, context, text)

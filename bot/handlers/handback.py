"""👍/👎 on matches, claims, the private relay between owner and finder, and the hand-back."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ConversationHandler

from bot import keyboards
from bot.handlers.common import (
    Context,
    button,
    claims,
    core_of,
    esc,
    lang,
    parse_ints,
    reply,
    send,
    toast,
)
from bot.i18n import t
from bot.states import CLAIM_ANSWER, RELAY_TEXT
from hoyamu.claims import ClaimView

log = logging.getLogger(__name__)
END = ConversationHandler.END


async def _language_of(context: Context, user_id: int) -> str:
    return (await core_of(context).users.get_user(user_id)).language or "en"


@button
async def vote_down(update: Update, context: Context) -> None:
    """👎 Not mine: recorded (a second press changes nothing)."""
    match_id, _ = parse_ints(update.callback_query.data, "v")
    _, changed = await core_of(context).feedback.vote(match_id, update.effective_user.id, up=False)
    toast(context, t(lang(context), "vote_down" if changed else "vote_same"))


@button
async def vote_up(update: Update, context: Context) -> int:
    """👍 This is mine: recorded, then the claim (with the finder's question, if any)."""
    match_id, _ = parse_ints(update.callback_query.data, "v")
    user_id = update.effective_user.id
    match = await claims(context).match_for_owner(match_id, user_id)
    await core_of(context).feedback.vote(match_id, user_id, up=True)
    if match.found.user_id is None:
        await reply(update, t(lang(context), "claim_desk"))
        return END
    if match.found.verify_question:
        context.user_data["claim_match"] = match_id
        await reply(update, t(lang(context), "ask_answer", question=esc(match.found.verify_question)))
        return CLAIM_ANSWER
    await _send_claim(update, context, match_id, None)
    return END


async def claim_answer(update: Update, context: Context) -> int:
    match_id = context.user_data.pop("claim_match", None)
    if match_id is None:
        return END
    await _send_claim(update, context, match_id, update.message.text)
    return END


async def _send_claim(update: Update, context: Context, match_id: int, answer: str | None) -> None:
    view = await claims(context).create(match_id, update.effective_user.id, answer)
    finder_lang = await _language_of(context, view.claim.finder_id)
    qa = (t(finder_lang, "claim_qa", question=esc(view.found.verify_question),
            answer=esc(view.claim.answer or "—")) if view.found.verify_question else "")
    await send(context, view.claim.finder_id,
               t(finder_lang, "claim_to_finder", text=esc(view.found.text), qa=qa),
               keyboards.decide(finder_lang, view.claim.id))
    await reply(update, t(lang(context), "claim_sent"))


@button
async def decide(update: Update, context: Context) -> None:
    """The finder accepts or declines a claim."""
    claim_id, accept = parse_ints(update.callback_query.data, "c")
    view = await claims(context).decide(claim_id, update.effective_user.id, bool(accept))
    await update.callback_query.edit_message_reply_markup(None)
    owner_id, language = view.claim.claimant_id, lang(context)
    owner_lang = await _language_of(context, owner_id)
    if not accept:
        await reply(update, t(language, "claim_declined_finder"))
        await send(context, owner_id, t(owner_lang, "claim_declined_owner"))
        return
    await reply(update, t(language, "claim_accepted_finder"), keyboards.handback(language, claim_id))
    await send(context, owner_id, t(owner_lang, "claim_accepted_owner"),
               keyboards.handback(owner_lang, claim_id))
    if view.found.photo_file_id:  # sensitive photos are shown only now
        await context.bot.send_photo(owner_id, view.found.photo_file_id)


@button
async def relay_start(update: Update, context: Context) -> int:
    (claim_id,) = parse_ints(update.callback_query.data, "r")
    await claims(context).active(claim_id, update.effective_user.id)
    context.user_data["relay_claim"] = claim_id
    await reply(update, t(lang(context), "ask_relay"))
    return RELAY_TEXT


async def relay_text(update: Update, context: Context) -> int:
    """Pass one message to the other party, without the sender's identity."""
    claim_id = context.user_data.pop("relay_claim", None)
    if claim_id is None:
        return END
    user_id = update.effective_user.id
    view: ClaimView = await claims(context).active(claim_id, user_id)
    other = view.other_party(user_id)
    other_lang = await _language_of(context, other)
    key = "relay_from_owner" if user_id == view.claim.claimant_id else "relay_from_finder"
    await send(context, other, t(other_lang, key, text=esc(update.message.text[:3000])),
               keyboards.handback(other_lang, claim_id))
    await reply(update, t(lang(context), "relay_sent"), keyboards.handback(lang(context), claim_id))
    return END


@button
async def share(update: Update, context: Context) -> None:
    """Contact is exchanged only when both parties have pressed "Share my contact"."""
    (claim_id,) = parse_ints(update.callback_query.data, "s")
    user_id = update.effective_user.id
    view, both = await claims(context).share_contact(claim_id, user_id)
    other = view.other_party(user_id)
    other_lang = await _language_of(context, other)
    if not both:
        toast(context, t(lang(context), "share_waiting"))
        await send(context, other, t(other_lang, "share_asked"),
                   keyboards.handback(other_lang, claim_id))
        return
    await reply(update, t(lang(context), "share_done",
                          contact=t(lang(context), "contact_link", id=other)))
    await send(context, other, t(other_lang, "share_done",
                                 contact=t(other_lang, "contact_link", id=user_id)))


@button
async def returned(update: Update, context: Context) -> None:
    """Either party marks the item returned: both reports close."""
    (claim_id,) = parse_ints(update.callback_query.data, "ret")
    user_id = update.effective_user.id
    view = await claims(context).mark_returned(claim_id, user_id)
    other = view.other_party(user_id)
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, t(lang(context), "returned_done"))
    await send(context, other, t(await _language_of(context, other), "returned_done"))

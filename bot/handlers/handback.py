"""👍/👎 on matches, claims, the private relay between owner and finder, and the hand-back
(the claim's states are drawn in hoyamu/claims.py)."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.ext import ConversationHandler

from bot import keyboards
from bot.handlers import relay
from bot.handlers.common import (
    Context,
    button,
    claims,
    core_of,
    esc,
    lang,
    language_of,
    parse_ints,
    reply,
    send,
    toast,
)
from bot.i18n import t
from bot.states import CLAIM_ANSWER, RELAY_TEXT
from hoyamu.claims import ClaimView
from hoyamu.validation import redact_personal

log = logging.getLogger(__name__)
END = ConversationHandler.END
USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")  # Telegram's rule for public usernames


@button
async def vote_down(update: Update, context: Context) -> None:
    """👎 Not mine: recorded (a second press changes nothing)."""
    match_id, _ = parse_ints(update.callback_query.data, "v")
    _, changed = await core_of(context).feedback.vote(match_id, update.effective_user.id, up=False)
    toast(context, t(lang(context), "vote_down" if changed else "vote_same"))


@button
async def vote_up(update: Update, context: Context) -> int:
    """👍 This is mine: one service call records the vote and starts the claim (after the
    finder's question, if they set one)."""
    match_id, _ = parse_ints(update.callback_query.data, "v")
    started = await claims(context).start(match_id, update.effective_user.id)
    if started.desk:
        await reply(update, t(lang(context), "claim_desk"))
        return END
    if started.question:
        context.user_data["claim_match"] = match_id
        await reply(update, t(lang(context), "ask_answer", question=esc(started.question)))
        return CLAIM_ANSWER
    await _send_claim(update, context, started.view)
    return END


async def claim_answer(update: Update, context: Context) -> int:
    match_id = context.user_data.pop("claim_match", None)
    if match_id is None:
        return END
    view = await claims(context).create(match_id, update.effective_user.id, update.message.text)
    await _send_claim(update, context, view)
    return END


async def _ask_finder(context: Context, view: ClaimView, key: str = "claim_to_finder") -> None:
    """The claim as the finder sees it: their own text, the owner's lost report without names
    or numbers, and the answer to their question."""
    finder_lang = await language_of(context, view.claim.finder_id)
    qa = (t(finder_lang, "claim_qa", question=esc(view.found.verify_question),
            answer=esc(view.claim.answer or "—")) if view.found.verify_question else "")
    report = (t(finder_lang, "claim_report", text=esc(redact_personal(view.lost.text)[:600]))
              if view.lost is not None else "")
    await send(context, view.claim.finder_id,
               t(finder_lang, key, text=esc(view.found.text), report=report, qa=qa),
               keyboards.decide(finder_lang, view.claim.id))


async def _send_claim(update: Update, context: Context, view: ClaimView) -> None:
    await _ask_finder(context, view)
    await reply(update, t(lang(context), "claim_sent"))


@button
async def decide(update: Update, context: Context) -> None:
    """The finder accepts or declines a claim; a decline can be taken back (reopen)."""
    claim_id, accept = parse_ints(update.callback_query.data, "c")
    view = await claims(context).decide(claim_id, update.effective_user.id, bool(accept))
    await update.callback_query.edit_message_reply_markup(None)
    owner_id, language = view.claim.claimant_id, lang(context)
    owner_lang = await language_of(context, owner_id)
    if not accept:
        await reply(update, t(language, "claim_declined_finder"),
                    keyboards.reopen(language, claim_id))
        await send(context, owner_id, t(owner_lang, "claim_declined_owner"))
        return
    await reply(update, t(language, "claim_accepted_finder"),
                keyboards.handback(language, claim_id, owner=False))
    await send(context, owner_id, t(owner_lang, "claim_accepted_owner"),
               keyboards.handback(owner_lang, claim_id, owner=True))
    if view.found.photo_file_id:  # sensitive photos are shown only now
        await context.bot.send_photo(owner_id, view.found.photo_file_id)


@button
async def reopen(update: Update, context: Context) -> None:
    """c:<claim>:2 — the finder takes back a decline and decides again."""
    claim_id, _ = parse_ints(update.callback_query.data, "c")
    view = await claims(context).reopen(claim_id, update.effective_user.id)
    await update.callback_query.edit_message_reply_markup(None)
    await _ask_finder(context, view, key="claim_reopened_finder")
    owner_id = view.claim.claimant_id
    await send(context, owner_id, t(await language_of(context, owner_id), "claim_reopened_owner"))


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
    await relay.deliver(update, context, claim_id, update.message.text)
    return END


@button
async def share(update: Update, context: Context) -> None:
    """Contact is exchanged only when both parties have pressed "Share my contact": each gets
    the other's @username, or a chat link; a party without a username is offered Telegram's
    button that sends their phone number (a tg:// link does not always open)."""
    (claim_id,) = parse_ints(update.callback_query.data, "s")
    user = update.effective_user
    username = user.username if user.username and USERNAME.fullmatch(user.username) else None
    view, both = await claims(context).share_contact(claim_id, user.id, username)
    other = view.other_party(user.id)
    other_lang, language = await language_of(context, other), lang(context)
    if not both:
        toast(context, t(language, "share_waiting"))
        await send(context, other, t(other_lang, "share_asked"),
                   keyboards.handback(other_lang, claim_id, owner=other == view.claim.claimant_id))
        return
    claim = view.claim
    mine, theirs = ((claim.owner_contact, claim.finder_contact) if user.id == claim.claimant_id
                    else (claim.finder_contact, claim.owner_contact))
    await reply(update, t(language, "share_done", contact=_contact(language, other, theirs)))
    await send(context, other, t(other_lang, "share_done",
                                 contact=_contact(other_lang, user.id, mine)))
    for user_id, user_lang, has_username in ((user.id, language, mine), (other, other_lang, theirs)):
        if not has_username:
            await send(context, user_id, t(user_lang, "ask_phone"), keyboards.ask_phone(user_lang))


def _contact(language: str, user_id: int, username: str | None) -> str:
    if username:  # checked against USERNAME: nothing to escape
        return f'<a href="https://t.me/{username}">@{username}</a>'
    return t(language, "contact_link", id=user_id) + t(language, "contact_no_username")


async def phone(update: Update, context: Context) -> None:
    """A contact sent with the "share my phone number" button: it goes to the other party of
    each conversation where both agreed to share contact, and nowhere else."""
    contact, user_id, language = update.message.contact, update.effective_user.id, lang(context)
    if contact.user_id != user_id:  # someone else's card, forwarded or typed in
        await reply(update, t(language, "phone_not_yours"), keyboards.remove())
        return
    recipients = await claims(context).phone_recipients(user_id)
    for other in recipients:
        other_lang = await language_of(context, other)
        await send(context, other, t(other_lang, "phone_from"))
        await context.bot.send_contact(other, phone_number=contact.phone_number,
                                       first_name=contact.first_name,
                                       last_name=contact.last_name)
    await reply(update, t(language, "phone_sent" if recipients else "phone_nowhere"),
                keyboards.remove())


@button
async def returned(update: Update, context: Context) -> None:
    """ret:<claim> — the finder says "handed over" (the owner is asked to confirm); the owner
    says "I got it back" (both reports close)."""
    (claim_id,) = parse_ints(update.callback_query.data, "ret")
    user_id, language = update.effective_user.id, lang(context)
    done = await claims(context).hand_back(claim_id, user_id)
    other = done.view.other_party(user_id)
    other_lang = await language_of(context, other)
    await update.callback_query.edit_message_reply_markup(None)
    if done.closed:
        await reply(update, t(language, "returned_done"))
        await send(context, other, t(other_lang, "returned_done"))
        return
    await reply(update, t(language, "handed_finder",
                          hours=core_of(context).settings.handback_confirm_hours))
    await send(context, other, t(other_lang, "handed_owner", text=esc(done.view.found.text[:200])),
               keyboards.confirm_handback(other_lang, claim_id))


@button
async def not_yet(update: Update, context: Context) -> None:
    """ny:<claim> — the owner has not got it back after all: the conversation goes on."""
    (claim_id,) = parse_ints(update.callback_query.data, "ny")
    view = await claims(context).not_yet(claim_id, update.effective_user.id)
    await update.callback_query.edit_message_reply_markup(None)
    language, finder = lang(context), view.claim.finder_id
    await reply(update, t(language, "not_yet_owner"),
                keyboards.handback(language, claim_id, owner=True))
    finder_lang = await language_of(context, finder)
    await send(context, finder, t(finder_lang, "not_yet_finder"),
               keyboards.handback(finder_lang, claim_id, owner=False))

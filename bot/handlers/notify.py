"""Showing matches: to the owner of a new lost report, and to owners when a found report arrives."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot import keyboards
from bot.handlers.common import Context, esc, send
from bot.i18n import item_word, t
from bot.texts.en import TEXTS as TEXTS_EN
from hoyamu.reports import MatchView
from storage.models import Item

log = logging.getLogger(__name__)


def _details(item: Item) -> str:
    parts = []
    if item.place:
        parts.append(f"📍 {esc(item.place)}")
    if item.happened_on:
        parts.append(f"📅 {item.happened_on.strftime('%d/%m/%Y')}")
    return ("\n" + " · ".join(parts)) if parts else ""


def _attribute(language: str, name: str) -> str:
    key = f"attr_{name}"
    return t(language, key) if key in TEXTS_EN else name


def _why(language: str, view: MatchView) -> str:
    """What both reports say alike and what differs ("same: black · wallet" / "differs: brand")."""
    lines = []
    if view.parts.same:
        lines.append(t(language, "match_same", words=esc(" · ".join(view.parts.same))))
    if view.parts.differs:
        lines.append(t(language, "match_differs", words=esc(" · ".join(
            _attribute(language, name) for name in view.parts.differs))))
    return "".join(f"\n<i>{line}</i>" for line in lines)


def match_text(language: str, view: MatchView) -> str:
    return t(language, "match", score=view.parts.score, tier=t(language, f"tier_{view.parts.tier}"),
             text=esc(view.item.text), details=_details(view.item), why=_why(language, view))


async def send_match(context: Context, chat_id: int, language: str, view: MatchView,
                     intro: str | None = None) -> None:
    """One match with 👍/👎 buttons; a photo only when the item is not sensitive."""
    text = (intro + "\n\n" if intro else "") + match_text(language, view)
    keyboard = keyboards.vote(language, view.match_id)
    if view.item.photo_file_id and not view.item.sensitive:
        await context.bot.send_photo(chat_id, view.item.photo_file_id, caption=text[:1000],
                                     parse_mode=ParseMode.HTML, reply_markup=keyboard)
    else:
        await send(context, chat_id, text, keyboard)


async def send_matches(context: Context, chat_id: int, language: str,
                       matches: list[MatchView]) -> None:
    if not matches:
        await send(context, chat_id, t(language, "no_matches"))
        return
    await send(context, chat_id, t(language, "matches_intro"))
    for view in matches:
        await send_match(context, chat_id, language, view)


async def notify_owners(context: Context, found: Item, matches: list[MatchView]) -> int:
    """Message each owner whose lost report matches a new found report; returns how many."""
    users = context.bot_data["core"].users
    notified = 0
    for view in matches:
        owner_id = view.item.user_id
        if owner_id is None:
            continue
        owner = await users.get_user(owner_id)
        language = owner.language or "en"
        as_seen_by_owner = MatchView(found, view.parts, view.match_id)
        try:
            await send_match(context, owner_id, language, as_seen_by_owner,
                             intro=t(language, "notify_owner", what=esc(item_word(
                                 language, view.item.category)), id=view.item.id))
            notified += 1
        except Forbidden:
            log.info("owner %s has blocked the bot; not notified of item %s", owner_id, found.id)
        except TelegramError:
            log.warning("could not notify owner %s of item %s", owner_id, found.id, exc_info=True)
    return notified

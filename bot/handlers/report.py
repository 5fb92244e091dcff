"""Reporting a lost or found item, one step per handler. The flow is wired in bot/app.py."""

from __future__ import annotations

import datetime as dt
import logging
import re

from telegram import Update
from telegram.ext import ConversationHandler

from bot import keyboards
from bot.handlers.common import Context, button, core_of, error_text, esc, lang, reply
from bot.handlers.notify import notify_owners, send_matches
from bot.i18n import category_name, item_word, t
from bot.states import (
    ASK_KIND,
    CATEGORY,
    CONFIRM,
    DESCRIPTION,
    DETAIL,
    PHOTO,
    PLACE,
    QUESTION,
    WHEN,
)
from hoyamu.reports import ReportInput
from hoyamu.validation import InvalidInput, clean_description
from matcher.attributes import Facts, read_facts
from matcher.lexicon import CATEGORIES, analyse, detect_category, tokens
from storage.db import is_unavailable

log = logging.getLogger(__name__)
END = ConversationHandler.END
# answers to the follow-up question that add nothing: treated like "Skip"
NO_DETAIL = frozenset({"no", "nope", "none", "nothing", "idk", "dont know", "don't know", "na",
                       "naa", "epa", "nehe", "na na", "නෑ", "නැහැ", "නැත", "දන්නේ නෑ", "skip"})


def _draft(context: Context) -> dict:
    return context.user_data.setdefault("draft", {})


async def _ask_description(update: Update, context: Context, kind: str) -> int:
    context.user_data["draft"] = {"kind": kind}
    await reply(update, t(lang(context), f"ask_description_{kind}"))
    return DESCRIPTION


async def start_lost(update: Update, context: Context) -> int:
    """/lost"""
    return await _ask_description(update, context, "lost")


async def start_found(update: Update, context: Context) -> int:
    """/found"""
    return await _ask_description(update, context, "found")


@button
async def start_from_menu(update: Update, context: Context) -> int:
    """The "I lost / I found something" buttons."""
    return await _ask_description(update, context, update.callback_query.data.split(":")[1])


async def free_text(update: Update, context: Context) -> int:
    """A plain message outside a conversation: ask whether it was lost or found."""
    return await start_with_text(update, context, update.message.text)


async def start_with_text(update: Update, context: Context, text: str) -> int:
    """A description typed before choosing lost or found: keep it, ask which."""
    try:
        cleaned = clean_description(text, core_of(context).settings.max_text_length)
    except InvalidInput as exc:
        await reply(update, error_text(lang(context), exc))
        return END
    context.user_data["draft"] = {"text": cleaned}
    await reply(update, t(lang(context), "ask_kind", text=esc(cleaned[:300])),
                keyboards.ask_kind(lang(context)))
    return ASK_KIND


@button
async def kind_chosen(update: Update, context: Context) -> int:
    _draft(context)["kind"] = update.callback_query.data.split(":")[1]
    if "text" not in _draft(context):
        return await _ask_description(update, context, _draft(context)["kind"])
    return await _after_description(update, context)


async def description(update: Update, context: Context) -> int:
    return await _take_description(update, context, update.message.text)


async def description_photo(update: Update, context: Context) -> int:
    """A photo at the description step: kept for the report; its caption is the description."""
    _draft(context)["photo"] = update.message.photo[-1].file_id
    if not update.message.caption:
        await reply(update, t(lang(context), "photo_needs_words"))
        return DESCRIPTION
    return await _take_description(update, context, update.message.caption)


async def _take_description(update: Update, context: Context, typed: str) -> int:
    try:
        text = clean_description(typed, core_of(context).settings.max_text_length)
    except InvalidInput as exc:
        await reply(update, error_text(lang(context), exc))
        return DESCRIPTION
    _draft(context)["text"] = text
    return await _after_description(update, context)


def needs_detail(facts: Facts) -> bool:
    """A report that names at most the item (and where or when): nothing to tell it apart."""
    return not facts.stated() - {"item", "place", "day"}


async def _after_description(update: Update, context: Context) -> int:
    """A lost report that says only what the item is gets one follow-up question first."""
    draft = _draft(context)
    facts = read_facts(draft["text"])
    if draft.get("kind") == "lost" and not draft.get("asked_detail") and needs_detail(facts):
        draft["asked_detail"] = True
        what = item_word(lang(context), facts.category, min(facts.items, default=None))
        await reply(update, t(lang(context), "ask_detail", what=esc(what)),
                    keyboards.skip_detail(lang(context)))
        return DETAIL
    return await _ask_place(update, context)


async def detail(update: Update, context: Context) -> int:
    """The answer to the follow-up question is added to the description."""
    draft = _draft(context)
    limit = core_of(context).settings.max_text_length
    if update.message.text.strip(" .!").casefold() in NO_DETAIL:
        return await _ask_place(update, context)
    try:
        added = clean_description(update.message.text, limit)
    except InvalidInput as exc:
        await reply(update, error_text(lang(context), exc), keyboards.skip_detail(lang(context)))
        return DETAIL
    joined = f"{draft['text'].rstrip(' .')}. {added}"
    draft["text"] = joined if len(joined) <= limit else draft["text"]
    return await _ask_place(update, context)


@button
async def skip_detail(update: Update, context: Context) -> int:
    return await _ask_place(update, context)


async def _ask_place(update: Update, context: Context) -> int:
    """Where: confirm what the report already says, or ask."""
    draft, language = _draft(context), lang(context)
    places = [_as_written(p, draft["text"]) for p in sorted(read_facts(draft["text"]).places)]
    if places and "place" not in draft:
        draft["place"] = ", ".join(places)[:200]
        await reply(update, t(language, "ask_place_read", place=esc(draft["place"])),
                    keyboards.read_place(language))
        return PLACE
    await reply(update, t(language, "ask_place"), keyboards.skip(language))
    return PLACE


def _as_written(place: str, text: str) -> str:
    """A place the reader recognised, as the report writes it: with a number that follows
    ("Lecture Hall 2"), in its own script ("පුස්තකාලයේදී"); else the reader's name for it."""
    found = re.search(rf"\b{re.escape(place)}\b(?:\s+(?:no\.?\s*)?\d+[a-z]?\b)?", text,
                      re.IGNORECASE)
    if found:
        return found[0]
    words = tokens(text)
    spans = [h for h in analyse(text) if h.kind == "place" and h.canonical == place]
    return " ".join(words[spans[0].start:spans[0].end]) if spans else place


async def place(update: Update, context: Context) -> int:
    _draft(context)["place"] = update.message.text[:200]
    return await _ask_when(update, context)


@button
async def place_right(update: Update, context: Context) -> int:
    return await _ask_when(update, context)


@button
async def skip_place(update: Update, context: Context) -> int:
    _draft(context).pop("place", None)
    return await _ask_when(update, context)


def read_day(day: str | None, today: dt.date) -> dt.date | None:
    """The date a report's day phrase stands for ("yesterday", "monday", "25/11"); None when it
    names none, or a day still to come."""
    if not day:
        return None
    offsets = {"today": 0, "yesterday": 1, "day before yesterday": 2}
    if day in offsets:
        return today - dt.timedelta(days=offsets[day])
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    if day in weekdays:
        return today - dt.timedelta(days=(today.weekday() - weekdays.index(day)) % 7)
    date = parse_date(day, today)
    return date if date and date <= today else None


async def _ask_when(update: Update, context: Context) -> int:
    """When: confirm the day the report already names, or ask."""
    draft, language = _draft(context), lang(context)
    day = read_day(read_facts(draft["text"]).day, dt.date.today())
    if day is not None and "when" not in draft:
        draft["when"] = day.isoformat()
        await reply(update, t(language, "ask_when_read", when=_when_label(language, draft["when"])),
                    keyboards.when(language, read=True))
        return WHEN
    await reply(update, t(language, "ask_when"), keyboards.when(language))
    return WHEN


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """25/11, 25.11.2026, 2026-11-25 -> a date (this year when the year is missing)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        year, month, day = (int(p) for p in text.split("-"))
    elif match := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?", text):
        day, month = int(match[1]), int(match[2])
        year = int(match[3]) if match[3] else today.year
        year = year + 2000 if year < 100 else year
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


async def when_typed(update: Update, context: Context) -> int:
    today = dt.date.today()
    day = parse_date(update.message.text, today)
    if day is None:
        await reply(update, t(lang(context), "bad_date"), keyboards.when(lang(context)))
        return WHEN
    if day > today:
        await reply(update, t(lang(context), "future_date"), keyboards.when(lang(context)))
        return WHEN
    _draft(context)["when"] = day.isoformat()
    return await _ask_photo(update, context)


@button
async def when_chosen(update: Update, context: Context) -> int:
    choice = update.callback_query.data
    if choice == "skip":
        _draft(context).pop("when", None)
    elif choice != "when:ok":
        offset = 0 if choice == "when:today" else 1
        _draft(context)["when"] = (dt.date.today() - dt.timedelta(days=offset)).isoformat()
    return await _ask_photo(update, context)


async def _ask_photo(update: Update, context: Context) -> int:
    if _draft(context).get("photo"):  # sent with the description
        return await _ask_category(update, context)
    kind = _draft(context).get("kind", "lost")
    await reply(update, t(lang(context), f"ask_photo_{kind}"), keyboards.skip(lang(context)))
    return PHOTO


async def photo(update: Update, context: Context) -> int:
    draft = _draft(context)
    draft["photo"] = update.message.photo[-1].file_id
    if update.message.caption and not draft.get("text"):
        draft["text"] = update.message.caption
    return await _ask_category(update, context)


@button
async def skip_photo(update: Update, context: Context) -> int:
    return await _ask_category(update, context)


async def _ask_category(update: Update, context: Context) -> int:
    draft = _draft(context)
    draft["category"] = detect_category(draft["text"])
    await reply(update, t(lang(context), "ask_category",
                          category=category_name(lang(context), draft["category"])),
                keyboards.confirm_category(lang(context)))
    return CATEGORY


@button
async def category_chosen(update: Update, context: Context) -> int:
    choice = update.callback_query.data.split(":")[1]
    if choice == "change":
        await reply(update, t(lang(context), "choose_category"), keyboards.categories(lang(context)))
        return CATEGORY
    if choice != "ok":
        index = int(choice) if choice.isascii() and choice.isdigit() else -1
        if not 0 <= index < len(CATEGORIES):
            raise InvalidInput("stale", "This button is no longer active.")
        _draft(context)["category"] = CATEGORIES[index]
    if _draft(context).get("kind") == "found":
        await reply(update, t(lang(context), "ask_question"), keyboards.skip(lang(context)))
        return QUESTION
    return await _summary(update, context)


async def question(update: Update, context: Context) -> int:
    _draft(context)["question"] = update.message.text[:300]
    return await _summary(update, context)


@button
async def skip_question(update: Update, context: Context) -> int:
    return await _summary(update, context)


def _when_label(language: str, iso: str | None) -> str:
    if not iso:
        return t(language, "not_given")
    day = dt.date.fromisoformat(iso)
    today = dt.date.today()
    if day == today:
        return t(language, "today")
    if day == today - dt.timedelta(days=1):
        return t(language, "yesterday")
    return day.strftime("%d/%m/%Y")


async def _summary(update: Update, context: Context) -> int:
    draft, language = _draft(context), lang(context)
    question_line = (t(language, "summary_question", question=esc(draft["question"]))
                     if draft.get("question") else "")
    text = t(language, "summary", kind_label=t(language, f"kind_{draft['kind']}"),
             text=esc(draft["text"]), place=esc(draft.get("place")) or t(language, "not_given"),
             when=_when_label(language, draft.get("when")),
             category=category_name(language, draft["category"]),
             photo=t(language, "yes" if draft.get("photo") else "no"), question=question_line)
    await reply(update, text, keyboards.confirm(language))
    return CONFIRM


@button
async def submit(update: Update, context: Context) -> int:
    """Store the report; a lost one gets its matches, a found one notifies the owners."""
    draft, language = _draft(context), lang(context)
    if not draft.get("text") or not draft.get("kind"):
        raise InvalidInput("stale", "This button is no longer active.")
    data = ReportInput(
        kind=draft["kind"], text=draft["text"], category=draft.get("category"),
        place=draft.get("place"), photo_file_id=draft.get("photo"),
        happened_on=dt.date.fromisoformat(draft["when"]) if draft.get("when") else None,
        verify_question=draft.get("question"), user_id=update.effective_user.id)
    try:
        result = await core_of(context).reports.report(data)
    except InvalidInput as exc:
        await reply(update, error_text(language, exc))
        return CONFIRM if exc.code != "rate_limited" else END
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("database busy while saving a report of user %s", update.effective_user.id,
                    exc_info=True)
        await reply(update, t(language, "err_busy"), keyboards.confirm(language))
        return CONFIRM
    context.user_data.pop("draft", None)
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, t(language, "saved", id=result.item.id))
    if result.item.kind == "lost":
        await send_matches(context, update.effective_chat.id, language, result.matches)
    else:
        count = await notify_owners(context, result.item, result.matches)
        await reply(update, t(language, "found_notified" if count else "found_none", count=count))
    return END


@button
async def cancel_button(update: Update, context: Context) -> int:
    context.user_data.pop("draft", None)
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, t(lang(context), "cancelled"))
    return END


async def not_text(update: Update, context: Context) -> None:
    """Something other than the text this step expects (a sticker, a file...)."""
    await reply(update, t(lang(context), "not_text"))

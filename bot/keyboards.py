"""Inline keyboards. Callback data stays far below Telegram's 64 bytes: a short verb and ids.

    menu:lost|found|mine|lang   lang:en|si      kind:lost|found     skip    detail:skip
    when:ok|today|yesterday     place:ok    cat:ok|change|<n>       confirm:yes|no
    v:<match>:1|0 (vote)        c:<claim>:1|0|2 (finder accepts, declines, reopens)
    r:<claim> (relay a message) s:<claim> (share contact)
    ret:<claim> (finder: handed over; owner: got it back)           ny:<claim> (owner: not yet)
    rt:<claim>|new (where the text just typed goes: a conversation, or a new report)
    i:<item>:ret|close|del|delok|keep|ext (my reports; del asks, delok deletes)
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.i18n import LANGUAGES, category_name, language_name, t
from matcher.lexicon import CATEGORIES


def _kb(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in rows])


def main_menu(lang: str) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_lost"), "menu:lost"), (t(lang, "btn_found"), "menu:found")],
               [(t(lang, "btn_mine"), "menu:mine"), (t(lang, "btn_language"), "menu:lang")])


def languages() -> InlineKeyboardMarkup:
    return _kb([(language_name(code), f"lang:{code}") for code in LANGUAGES])


def language_back(code: str) -> InlineKeyboardMarkup:
    """One tap back to `code` (after the interface followed the script the student writes)."""
    return _kb([(t(code, "btn_language_back"), f"lang:{code}")])


def ask_kind(lang: str) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_lost"), "kind:lost"), (t(lang, "btn_found"), "kind:found")],
               [(t(lang, "btn_cancel"), "confirm:no")])


def skip(lang: str) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_skip"), "skip")])


def skip_detail(lang: str) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_skip"), "detail:skip")])


def read_place(lang: str) -> InlineKeyboardMarkup:
    """The place read from the report: confirm it, or skip (typing one corrects it)."""
    return _kb([(t(lang, "btn_right"), "place:ok"), (t(lang, "btn_skip"), "skip")])


def when(lang: str, read: bool = False) -> InlineKeyboardMarkup:
    """Today / yesterday / skip; with `read`, first a button confirming the day already read."""
    days = [(t(lang, "btn_today"), "when:today"), (t(lang, "btn_yesterday"), "when:yesterday"),
            (t(lang, "btn_skip"), "skip")]
    return _kb([(t(lang, "btn_right"), "when:ok")], days) if read else _kb(days)


def confirm_category(lang: str) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_yes_category"), "cat:ok"),
                (t(lang, "btn_change_category"), "cat:change")])


def categories(lang: str) -> InlineKeyboardMarkup:
    buttons = [(category_name(lang, c), f"cat:{i}") for i, c in enumerate(CATEGORIES)]
    return _kb(*[buttons[i:i + 3] for i in range(0, len(buttons), 3)])


def confirm(lang: str) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_submit"), "confirm:yes"), (t(lang, "btn_cancel"), "confirm:no")])


def vote(lang: str, match_id: int) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_mine_item"), f"v:{match_id}:1"),
                (t(lang, "btn_not_mine"), f"v:{match_id}:0")])


def relay_or_report(lang: str, conversations: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Where a typed message goes: one button per open conversation, or a new report."""
    return _kb(*[[c] for c in conversations], [(t(lang, "btn_new_report"), "rt:new")])


def decide(lang: str, claim_id: int) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_accept"), f"c:{claim_id}:1"),
                (t(lang, "btn_decline"), f"c:{claim_id}:0")])


def reopen(lang: str, claim_id: int) -> InlineKeyboardMarkup:
    """After a decline, the finder alone can take it back."""
    return _kb([(t(lang, "btn_reopen"), f"c:{claim_id}:2")])


def handback(lang: str, claim_id: int, owner: bool) -> InlineKeyboardMarkup:
    """The open conversation: message, share contact, and the hand-back in each side's words."""
    done = t(lang, "btn_got_back" if owner else "btn_handed")
    return _kb([(t(lang, "btn_message"), f"r:{claim_id}")],
               [(t(lang, "btn_share"), f"s:{claim_id}"), (done, f"ret:{claim_id}")])


def confirm_handback(lang: str, claim_id: int) -> InlineKeyboardMarkup:
    """The owner, after the finder said "handed over": got it, or not yet."""
    return _kb([(t(lang, "btn_got_back"), f"ret:{claim_id}"),
                (t(lang, "btn_not_yet"), f"ny:{claim_id}")])


def my_item(lang: str, item_id: int, extend: bool = False) -> InlineKeyboardMarkup:
    row = [(t(lang, "btn_item_returned"), f"i:{item_id}:ret"),
           (t(lang, "btn_item_close"), f"i:{item_id}:close"),
           (t(lang, "btn_item_delete"), f"i:{item_id}:del")]
    return _kb([(t(lang, "btn_item_extend"), f"i:{item_id}:ext")], row) if extend else _kb(row)


def confirm_delete(lang: str, item_id: int) -> InlineKeyboardMarkup:
    return _kb([(t(lang, "btn_delete_yes"), f"i:{item_id}:delok"),
                (t(lang, "btn_keep"), f"i:{item_id}:keep")])


def ask_phone(lang: str) -> ReplyKeyboardMarkup:
    """Telegram's own button that sends the user's phone number as a contact (they see what is
    sent and can ignore it)."""
    return ReplyKeyboardMarkup([[KeyboardButton(t(lang, "btn_send_phone"), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)


def remove() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()

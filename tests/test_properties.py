"""Bad input and abuse: arbitrary Unicode through the lexicon, scoring, validation and the bot,
and thousands of random and malformed updates through the real Application.

Texts mix Sinhala (with combining vowel signs and ZWJ conjuncts), other combining marks, RTL
scripts and bidi overrides, emoji sequences, control characters and 10,000-character messages.
The bot must answer or ignore every update: the error handler is never reached, every button
press in a private chat is answered exactly once.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.handlers.report import parse_date
from bot.local_api import BOT_USER
from hoyamu.validation import InvalidInput, check_category, clean_description, clean_optional
from matcher.lexicon import (
    CATEGORIES,
    clean_text,
    detect_category,
    is_sensitive,
    keywords,
    language_style,
    normalize,
    parse_category,
)
from matcher.scoring import Calibration, keyword_overlap, score_pair, tier_of
from tests.auxil.bot import BotHarness
from tests.test_reliability_load import unwatch_errors, watch_errors

SPECIAL = [
    "\u200d", "\u200c", "\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\u200f", "\u061c",
    "\ufeff", "\u00ad", "\u2060", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\r", "\n", "\t",
    "\u2028", "\u2029", "\ufffe", "\uffff", "\ufffd", "🇱🇰", "👨\u200d👩\u200d👧", "❤️", "🏳️\u200d🌈",
    "ශ්\u200dරී", "ක්\u200dය", "ො", "ෞ", "ං", "e\u0301", "\u0301\u0301\u0301", "ﷺ", "שלום",
    "مرحبا", "Ａ", "ﬁ", "ß", "İ", "𝒲", "０", "٣", "<b>", "&amp;", "%s", "{text}", "{0}", "\\",
    "'", '"', ";--", "wallet", "kalu", "පසුම්බිය", " ", "  ",
]
CHARS = st.one_of(
    st.characters(min_codepoint=0x0D80, max_codepoint=0x0DFF),  # Sinhala
    st.characters(categories=["Mn", "Mc", "Me"]),  # combining marks
    st.characters(min_codepoint=0x0590, max_codepoint=0x08FF),  # Hebrew, Arabic
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(max_codepoint=0x9F),  # ASCII with control characters
    st.characters(exclude_categories=["Cs"]),  # anything
)
PIECES = st.one_of(CHARS, st.sampled_from(SPECIAL))
TEXTS = st.lists(PIECES, max_size=60).map("".join)
LONG = st.builds(lambda chunk, n: (chunk * n)[:10_000],
                 st.lists(PIECES, min_size=1, max_size=20).map("".join),
                 st.integers(300, 10_000))
ANY_TEXT = st.one_of(TEXTS, TEXTS, TEXTS, LONG)
FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# --- the lexicon ------------------------------------------------------------------------------


@FAST
@given(ANY_TEXT)
def test_clean_text_is_safe_and_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert not CONTROL.search(cleaned)
    assert cleaned == cleaned.strip()
    assert unicodedata.is_normalized("NFC", cleaned)
    assert len(cleaned) <= len(text) * 3  # NFC may recompose, never explode


@FAST
@given(ANY_TEXT)
def test_normalize_gives_words_only_and_is_idempotent(text: str) -> None:
    normal = normalize(text)
    assert normalize(normal) == normal
    assert "  " not in normal and normal == normal.strip()
    assert all(ch == " " or unicodedata.category(ch)[0] in "LNM" for ch in normal)


@FAST
@given(ANY_TEXT)
def test_keywords_category_and_style_never_fail(text: str) -> None:
    words = keywords(text)
    assert all(isinstance(w, str) and w.strip() for w in words)
    category = detect_category(text)
    assert category in CATEGORIES
    assert isinstance(is_sensitive(text, category), bool)
    assert language_style(text) in ("en", "si", "singlish", "mixed")
    assert parse_category(text) in (None, *CATEGORIES)


# --- validation -------------------------------------------------------------------------------


@FAST
@given(ANY_TEXT, st.integers(1, 3000))
def test_descriptions_are_either_clean_or_refused_with_a_reason(text: str, limit: int) -> None:
    try:
        cleaned = clean_description(text, limit)
    except InvalidInput as exc:
        assert exc.code in ("empty", "too_long", "no_words") and exc.message
        return
    assert 0 < len(cleaned) <= limit
    assert clean_text(cleaned) == cleaned
    assert sum(unicodedata.category(ch)[0] in "LN" for ch in cleaned) >= 2


@FAST
@given(ANY_TEXT, st.integers(1, 500))
def test_optional_fields_are_cut_and_cleaned(text: str, limit: int) -> None:
    value = clean_optional(text, limit)
    assert value is None or (0 < len(value) <= limit and not CONTROL.search(value))
    try:
        assert check_category(text) in (None, *CATEGORIES)
    except InvalidInput as exc:
        assert exc.code == "bad_category"


@FAST
@given(ANY_TEXT)
def test_typed_dates_never_fail(text: str) -> None:
    day = parse_date(text, dt.date(2026, 11, 28))
    assert day is None or isinstance(day, dt.date)


# --- scoring ----------------------------------------------------------------------------------

WORDS = st.frozensets(st.sampled_from(["black", "blue", "wallet", "phone", "library", "red",
                                       "keys", "canteen", "casio", "bag", "gold"]), max_size=6)
COSINE = st.floats(-1.0, 1.0, allow_nan=False)
CATEGORY = st.sampled_from(CATEGORIES)
WEIGHTS = st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)).filter(
    lambda w: sum(w) <= 1.0)


@FAST
@given(COSINE, WORDS, WORDS, CATEGORY, CATEGORY, WEIGHTS)
def test_scores_stay_in_range_and_are_symmetric(cosine, a, b, cat_a, cat_b, weights) -> None:
    calibration = Calibration()
    parts = score_pair(cosine, set(a), set(b), cat_a, cat_b, calibration, weights)
    assert 0.0 <= parts.score <= 100.0 and not math.isnan(parts.score)
    assert 0.0 <= parts.semantic <= 100.0 and 0.0 <= parts.keyword <= 100.0
    assert parts.category in (0.0, 100.0)
    assert parts.tier == tier_of(parts.score)
    assert parts == score_pair(cosine, set(b), set(a), cat_b, cat_a, calibration, weights)
    assert 0.0 <= keyword_overlap(set(a), set(b)) <= 1.0


@FAST
@given(st.lists(st.floats(-1, 1), min_size=2, max_size=2),
       st.lists(st.floats(0, 1), min_size=3, max_size=8, unique=True),
       st.lists(st.floats(0, 100), min_size=3, max_size=8, unique=True))
def test_calibration_curves_are_monotone(pair, cosines, scores) -> None:
    size = min(len(cosines), len(scores))
    curve = Calibration(tuple(sorted(cosines[:size])), tuple(sorted(scores[:size])))
    low, high = sorted(pair)
    assert curve.semantic(low) <= curve.semantic(high)
    assert 0.0 <= curve.semantic(low) <= 100.0


# --- the bot with arbitrary Unicode -----------------------------------------------------------


def draw(strategy, count: int, seed: int = 1) -> list:
    """`count` examples of a strategy (for async tests, where @given cannot drive the loop)."""
    found: list = []

    @settings(max_examples=count, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value) -> None:
        found.append(value)

    collect()
    random.Random(seed).shuffle(found)
    return found[:count]


async def test_every_step_of_the_bot_takes_arbitrary_unicode(core) -> None:
    texts = draw(ANY_TEXT, 60)
    counter = watch_errors()
    try:
        async with BotHarness(core) as bot:
            for n, text in enumerate(texts):
                user = bot.user(5000 + n % 6)
                await bot.send(user, "/cancel")
                await bot.send(user, text)  # outside a conversation: "lost or found?"
                for step in ("/lost", "/found"):
                    await bot.send(user, step)
                    await bot.send(user, text)  # description (refused or accepted)
                    await bot.send(user, text)  # place, or a second description
                    await bot.send(user, text)  # a typed date, or...
                    await bot.photo(user, "photo-id", caption=text or None)
            # a few arbitrary descriptions go all the way into the database and back
            saved = [t for t in texts if _valid(t)][:3]
            assert len(saved) == 3
            for n, text in enumerate(saved):
                user = bot.user(6000 + n)
                calls = await bot.report(user, "found" if n % 2 else "lost", text,
                                         place=text[:50] or None, question=text[:80] or None)
                assert any("Saved your report" in c.text for c in calls), text
            stored = {item.text for u in range(3) for item in
                      await core.items.user_items(6000 + u)}
            assert stored == {clean_description(t, 2000) for t in saved}
    finally:
        unwatch_errors(counter)
    assert counter.messages == []


def _valid(text: str) -> bool:
    try:
        cleaned = clean_description(text, 2000)
    except InvalidInput:
        return False
    return not cleaned.startswith("/") and len(cleaned) > 3


# --- thousands of random and malformed updates -------------------------------------------------

CALLBACK_DATA = [
    "v:{n}:1", "v:{n}:0", "v:{n}:2", "v::1", "v:abc:1", "v:-{n}:1", "v:{big}:0", "v:1:1:1",
    "c:{n}:1", "c:{n}:0", "c:{big}:1", "c:x:y", "r:{n}", "r:", "r:{big}", "s:{n}", "s:-1",
    "ret:{n}", "ret:{big}", "ret:", "i:{n}:del", "i:{n}:close", "i:{n}:ret", "i:{n}:ext",
    "i:{n}:nuke", "i:{n}", "i::del", "i:{big}:del", "lang:en", "lang:si", "lang:xx", "lang:",
    "kind:lost", "kind:found", "kind:stolen", "menu:lost", "menu:found", "menu:mine",
    "menu:lang", "menu:", "skip", "when:today", "when:yesterday", "when:tomorrow", "cat:ok",
    "cat:change", "cat:3", "cat:99", "cat:-1", "cat:", "confirm:yes", "confirm:no", "confirm:",
    "", ":", "::::", "{unicode}", "{unicode}:{n}", "v:{n}:1\x00", "v:٣:1", "v:１:1",
]
COMMANDS = ["/start", "/help", "/lost", "/found", "/mine", "/language", "/cancel", "/stats",
            "/reindex", "/export", "/retrain", "/promote", "/rollback", "/model", "/ab",
            "/nonsense", "/start@HoyamuBot", "/start@OtherBot", "/", "/lost extra words"]


class UpdateFuzzer:
    """Structurally valid Bot API updates with arbitrary, missing or contradictory content."""

    def __init__(self, seed: int, texts: list[str]) -> None:
        self.rng = random.Random(seed)
        self.texts = texts
        self.update_id = 0
        self.message_id = 0

    def _user(self) -> dict:
        rng = self.rng
        user = {"id": rng.choice([11, 12, 13, 14, 15, 16, 17, 18]), "is_bot": rng.random() < 0.03,
                "first_name": rng.choice(["Amaya", "", "ශ්\u200dරී", "\u202eevE", "😀"])}
        if rng.random() < 0.5:
            user["language_code"] = rng.choice(["en", "si", "ta", "xx-YY", ""])
        if rng.random() < 0.3:
            user["username"] = rng.choice(["amaya", "a" * 32])
        return user

    def _chat(self, user: dict) -> dict:
        kind = self.rng.choices(["private", "group", "supergroup", "channel"], [90, 4, 3, 3])[0]
        if kind == "private":
            return {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        return {"id": -1000000 - user["id"], "type": kind, "title": "Campus group"}

    def _text(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            return rng.choice(COMMANDS)
        if roll < 0.35:
            return str(rng.choice([1, 2, 3, 25, 99, -1]))
        if roll < 0.45:
            return rng.choice(["25/11", "2026-11-31", "31.02.2026", "1/1/1", "99/99/9999"])
        return rng.choice(self.texts) or "x"

    def _data(self) -> str:
        rng = self.rng
        template = rng.choice(CALLBACK_DATA)
        value = template.format(n=rng.randint(0, 40), big=rng.choice([2**31, 2**63, 10**30]),
                                unicode=(rng.choice(self.texts) or "x")[:20])
        return value.encode("utf-8")[:64].decode("utf-8", "ignore")

    def _message(self, user: dict, chat: dict) -> dict:
        rng = self.rng
        self.message_id += 1
        message: dict = {"message_id": self.message_id, "date": 1764300000, "chat": chat}
        if chat["type"] != "channel" or rng.random() < 0.5:
            message["from"] = user
        kind = rng.choices(["text", "photo", "sticker", "document", "location", "contact",
                            "none"], [60, 12, 6, 6, 5, 5, 6])[0]
        if kind == "text":
            text = self._text()
            message["text"] = text
            if text.startswith("/") and rng.random() < 0.9:
                length = len(text.split()[0]) if text.split() else 1
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        elif kind == "photo":
            message["photo"] = [{"file_id": f"p{rng.randint(0, 9)}", "file_unique_id": "u",
                                 "width": 90, "height": 90}]
            if rng.random() < 0.5:
                message["caption"] = self._text()
        elif kind == "sticker":
            message["sticker"] = {"file_id": "s", "file_unique_id": "s", "width": 512,
                                  "height": 512, "is_animated": False, "is_video": False,
                                  "type": "regular"}
        elif kind == "document":
            message["document"] = {"file_id": "d", "file_unique_id": "d"}
        elif kind == "location":
            message["location"] = {"latitude": 6.9, "longitude": 79.86}
        elif kind == "contact":
            message["contact"] = {"phone_number": "+94770000000", "first_name": "X",
                                  "user_id": rng.randint(1, 99)}
        return message

    def update(self) -> dict:
        rng = self.rng
        self.update_id += 1
        user = self._user()
        chat = self._chat(user)
        kind = rng.choices(["message", "callback", "edited", "channel_post", "edited_channel",
                            "inline", "member", "chosen"], [55, 30, 5, 3, 2, 2, 2, 1])[0]
        update: dict = {"update_id": self.update_id}
        if kind == "message":
            update["message"] = self._message(user, chat)
        elif kind == "edited":
            message = self._message(user, chat)
            message["edit_date"] = 1764300100
            update["edited_message"] = message
        elif kind in ("channel_post", "edited_channel"):
            channel = {"id": -100777, "type": "channel", "title": "News"}
            message = self._message(user, channel)
            message.pop("from", None)
            update["channel_post" if kind == "channel_post" else "edited_channel_post"] = message
        elif kind == "callback":
            query: dict = {"id": str(self.update_id), "from": user,
                           "chat_instance": str(user["id"])}
            if rng.random() < 0.9:
                query["data"] = self._data()
            else:
                query["game_short_name"] = "game"
            roll = rng.random()
            if roll < 0.8:
                query["message"] = {"message_id": rng.randint(1, 50), "date": 1764300000,
                                    "chat": chat, "from": BOT_USER, "text": "…"}
            elif roll < 0.9:
                query["inline_message_id"] = "inline-1"
            else:  # an old message: Telegram sends it as inaccessible (date 0)
                query["message"] = {"message_id": 1, "date": 0, "chat": chat}
            update["callback_query"] = query
        elif kind == "inline":
            update["inline_query"] = {"id": "q", "from": user, "query": self._text()[:50],
                                      "offset": ""}
        elif kind == "member":
            update["my_chat_member"] = {
                "chat": chat, "from": user, "date": 1764300000,
                "old_chat_member": {"status": "member", "user": BOT_USER},
                "new_chat_member": {"status": "kicked", "user": BOT_USER,
                                    "until_date": 0}}
        else:
            update["chosen_inline_result"] = {"result_id": "r", "from": user, "query": "q"}
        return update


async def test_thousands_of_random_updates_are_answered_or_ignored(core) -> None:
    count = int(os.environ.get("HOYAMU_FUZZ_UPDATES", "2000"))
    seed = int(os.environ.get("HOYAMU_FUZZ_SEED", "8"))
    fuzzer = UpdateFuzzer(seed, draw(TEXTS, 80, seed))
    counter = watch_errors()
    unanswered = []
    try:
        async with BotHarness(core) as bot:
            for _ in range(count):
                update = fuzzer.update()
                calls = await bot.feed(update)
                query = update.get("callback_query")
                if query and query["from"]["is_bot"] is False and \
                        query.get("message", {}).get("chat", {}).get("type") == "private":
                    answered = bot.answers(calls)
                    if len(answered) != 1:
                        unanswered.append((update, [c.method for c in calls]))
                # nothing is ever sent to a group, a channel or another bot
                assert all(c.chat_id is None or c.chat_id > 0 for c in calls), update
    finally:
        unwatch_errors(counter)
    assert counter.messages == []
    assert unanswered == []

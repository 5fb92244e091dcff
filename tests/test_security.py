"""Attacks that must fail: seeing another student's identity, acting on someone else's report or
claim (forged or replayed buttons), reading relayed messages meant for others, admin commands,
banned users, the report and claim limits, and secrets leaking into logs, errors or exports."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.i18n import t
from hoyamu.core import start_core
from storage.models import Claim, Feedback, Item, User
from tests.auxil.bot import BotHarness
from tests.auxil.core import core_with
from tests.auxil.env import child_env
from tests.conftest import ADMIN_ID, make_settings

ROOT = Path(__file__).resolve().parent.parent
# distinctive ids and names, so that any leak is found by a plain substring search
OWNER = {"id": 583920417, "name": "Amaya", "username": "amaya_perera_97"}
FINDER = {"id": 672019384, "name": "Kasun", "username": "kasun_silva_01"}
INTRUDER = {"id": 790143552, "name": "Eve", "username": "eve_snoop"}


def person(bot: BotHarness, who: dict) -> dict:
    user = bot.user(who["id"], who["name"])
    user["username"], user["last_name"] = who["username"], who["name"] + "son"
    return user


def leaks(texts: list[str], who: dict) -> list[str]:
    return [text for text in texts
            if str(who["id"]) in text or who["username"] in text or who["name"] in text]


def button_data(calls, prefix: str) -> list[str]:
    return [d for c in calls for _, d in c.buttons if d.startswith(prefix)]


def answers_text(bot: BotHarness, calls) -> list[str]:
    return [c.params.get("text") or "" for c in bot.answers(calls)]


@pytest.fixture
async def bot(core):
    async with BotHarness(core) as harness:
        yield harness


async def _claimed(bot: BotHarness) -> dict:
    """Finder hands in a wallet, owner reports it lost, claims it; returns the ids involved."""
    owner, finder = person(bot, OWNER), person(bot, FINDER)
    await bot.report(finder, "found", "Found a black leather wallet at the main library counter",
                     question="What is on the keyring inside?")
    calls = await bot.report(owner, "lost", "lost my black leather wallet in the main library")
    match_id = int(button_data(calls, "v:")[0].split(":")[1])
    await bot.press_data(owner, f"v:{match_id}:1")
    calls = await bot.send(owner, "A small red elephant")
    claim_id = int(button_data(calls, "c:")[0].split(":")[1])
    return {"match": match_id, "claim": claim_id}


# --- identities -------------------------------------------------------------------------------


async def test_nobody_sees_the_other_party_until_both_share(bot: BotHarness, core) -> None:
    owner, finder = person(bot, OWNER), person(bot, FINDER)
    ids = await _claimed(bot)
    await bot.press_data(finder, f"c:{ids['claim']}:1")
    await bot.press_data(owner, f"r:{ids['claim']}")
    await bot.send(owner, "Can we meet at the library at 3pm?")
    await bot.press_data(finder, f"r:{ids['claim']}")
    await bot.send(finder, "Yes, see you there")
    calls = await bot.press_data(owner, f"s:{ids['claim']}")  # only one of them agrees
    assert leaks(bot.texts_to(finder), OWNER) == []
    assert leaks(bot.texts_to(owner), FINDER) == []
    assert t("en", "share_waiting") in answers_text(bot, calls)
    # every message each one got: never the other's id, username or name
    for call in bot.api.calls:
        if call.chat_id == FINDER["id"]:
            assert not leaks([json.dumps(call.params, ensure_ascii=False)], OWNER), call
        if call.chat_id == OWNER["id"]:
            assert not leaks([json.dumps(call.params, ensure_ascii=False)], FINDER), call
    # both agree: now, and only now, each gets the other's @username
    await bot.press_data(finder, f"s:{ids['claim']}")
    assert any(f"https://t.me/{OWNER['username']}" in text for text in bot.texts_to(finder))
    assert any(f"https://t.me/{FINDER['username']}" in text for text in bot.texts_to(owner))


# --- acting on someone else's report, claim or conversation ------------------------------------


async def _state(core) -> tuple:
    async with core.sessions() as session:
        items = tuple((i.id, i.status, i.expires_at) for i in
                      await session.scalars(select(Item).order_by(Item.id)))
        claims = tuple((c.id, c.status, c.owner_shares_contact, c.finder_shares_contact)
                       for c in await session.scalars(select(Claim).order_by(Claim.id)))
        votes = tuple((f.match_id, f.user_id, f.vote) for f in
                      await session.scalars(select(Feedback).order_by(Feedback.id)))
    return items, claims, votes


async def test_forged_buttons_cannot_touch_other_peoples_things(bot: BotHarness, core) -> None:
    owner, finder, intruder = person(bot, OWNER), person(bot, FINDER), person(bot, INTRUDER)
    ids = await _claimed(bot)
    await bot.send(intruder, "/start")
    items = await core.items.user_items(OWNER["id"]) + await core.items.user_items(FINDER["id"])
    before = await _state(core)
    seen_by_others = len(bot.api.sent_to(OWNER["id"])) + len(bot.api.sent_to(FINDER["id"]))

    forged = [f"v:{ids['match']}:1", f"v:{ids['match']}:0", f"c:{ids['claim']}:1",
              f"c:{ids['claim']}:0", f"r:{ids['claim']}", f"s:{ids['claim']}",
              f"ret:{ids['claim']}", f"ny:{ids['claim']}", f"c:{ids['claim']}:2"]
    forged += [f"i:{item.id}:{action}" for item in items for action in
               ("ret", "close", "del", "ext")]
    for data in forged:
        calls = await bot.press_data(intruder, data)
        assert len(bot.answers(calls)) == 1, data  # always answered...
        assert all(c.chat_id in (INTRUDER["id"], None) for c in calls), data  # ...to them only
        assert not any("✅" in text or "🎉" in text for text in answers_text(bot, calls)), data
    # a relay the intruder tries to start is refused, so nothing they type reaches anyone
    await bot.send(intruder, "hello, it is me, the owner")
    assert await _state(core) == before
    assert len(bot.api.sent_to(OWNER["id"])) + len(bot.api.sent_to(FINDER["id"])) == \
        seen_by_others

    # the owner cannot decide their own claim, and the finder cannot vote for the owner
    calls = await bot.press_data(owner, f"c:{ids['claim']}:1")
    assert t("en", "err_not_yours") in answers_text(bot, calls)
    calls = await bot.press_data(finder, f"v:{ids['match']}:0")
    assert await _state(core) == before
    # nor relay before the finder accepted
    calls = await bot.press_data(owner, f"r:{ids['claim']}")
    assert t("en", "err_stale") in answers_text(bot, calls)
    assert await _state(core) == before


async def test_replayed_buttons_do_nothing_twice(bot: BotHarness, core) -> None:
    owner, finder = person(bot, OWNER), person(bot, FINDER)
    ids = await _claimed(bot)
    await bot.press_data(finder, f"c:{ids['claim']}:0")  # declined
    state = await _state(core)
    for data in (f"c:{ids['claim']}:1", f"c:{ids['claim']}:0", f"r:{ids['claim']}",
                 f"ret:{ids['claim']}", f"s:{ids['claim']}", f"ny:{ids['claim']}"):
        for user in (owner, finder):
            calls = await bot.press_data(user, data)
            assert len(bot.answers(calls)) == 1
    calls = await bot.press_data(owner, f"v:{ids['match']}:1")  # the old 👍, pressed again
    assert t("en", "err_claim_declined") in answers_text(bot, calls)
    assert not [c for c in calls if c.chat_id == FINDER["id"]]  # the finder is not bothered
    assert await _state(core) == state


async def test_relayed_messages_reach_only_the_other_party(bot: BotHarness, core) -> None:
    owner, finder, intruder = person(bot, OWNER), person(bot, FINDER), person(bot, INTRUDER)
    ids = await _claimed(bot)
    await bot.press_data(finder, f"c:{ids['claim']}:1")
    await bot.press_data(owner, f"r:{ids['claim']}")
    calls = await bot.send(owner, "secret meeting point: the blue bench")
    assert {c.chat_id for c in calls if "blue bench" in c.text} == {FINDER["id"]}
    assert not any("blue bench" in c.text for c in bot.api.sent_to(INTRUDER["id"]))
    # after the return (handed over, and the owner got it) the conversation is closed, for both
    await bot.press_data(finder, f"ret:{ids['claim']}")
    await bot.press_data(owner, f"ret:{ids['claim']}")
    calls = await bot.press_data(owner, f"r:{ids['claim']}")
    assert t("en", "err_stale") in answers_text(bot, calls)
    calls = await bot.press_data(intruder, f"r:{ids['claim']}")
    assert t("en", "err_not_yours") in answers_text(bot, calls)


# --- admin commands, banned users, limits ------------------------------------------------------


@pytest.mark.parametrize("command", ["/stats", "/reindex", "/retrain", "/model", "/ab",
                                     "/promote", "/rollback", "/export", "/export text_pairs",
                                     "/promote ft-anything", "/STATS", "/stats@HoyamuBot"])
async def test_admin_commands_refuse_students(bot: BotHarness, core, command: str,
                                              caplog) -> None:
    student = person(bot, INTRUDER)
    calls = await bot.send(student, command)
    assert all(c.method == "sendMessage" for c in calls if c.chat_id == INTRUDER["id"])
    assert not any(c.method in ("sendDocument", "sendPhoto") for c in calls)
    texts = bot.texts_to(student, calls)
    assert texts and (t("en", "admin_only") in texts or t("en", "unknown_command") in texts)
    assert "retrain_task" not in bot.app.bot_data
    assert core.store.current_version() == core.serving.runtime.version


async def test_banned_users_are_refused_everything(bot: BotHarness, core) -> None:
    banned = person(bot, INTRUDER)
    await bot.send(banned, "/start")
    async with core.sessions() as session, session.begin():
        (await session.get(User, INTRUDER["id"])).is_banned = True
    refusal = t("en", "banned")
    for text in ("/lost", "lost my black wallet in the library", "/mine", "/stats", "/start"):
        calls = await bot.send(banned, text)
        assert bot.texts_to(banned, calls) == [refusal], text
    for data in ("menu:lost", "kind:lost", "confirm:yes", "v:1:1", "lang:si"):
        calls = await bot.press_data(banned, data)
        assert answers_text(bot, calls) == [refusal]
        assert [c.method for c in calls] == ["answerCallbackQuery"]
    calls = await bot.photo(banned, "photo-id", caption="found a wallet")
    assert bot.texts_to(banned, calls) == [refusal]
    async with core.sessions() as session:
        assert await session.scalar(select(func.count(Item.id))) == 0
        assert (await session.get(User, INTRUDER["id"])).language == "en"


async def test_claims_per_item_limit(tmp_path, base_model_path, encoder) -> None:
    core = await start_core(make_settings(tmp_path, base_model_path, claims_per_item=2),
                            encoder=encoder)
    try:
        async with BotHarness(core) as bot:
            finder = bot.user(FINDER["id"])
            await bot.report(finder, "found", "Found a grey Casio calculator in lecture hall 2")
            outcomes = []
            for n in range(3):
                owner = bot.user(1000 + n)
                calls = await bot.report(owner, "lost", "lost my grey casio calculator in LH 2")
                up = button_data(calls, "v:")[0]
                assert up.endswith(":1")
                calls = await bot.press_data(owner, up)
                outcomes.append(bot.texts_to(owner, calls) + answers_text(bot, calls))
            assert t("en", "claim_sent") in outcomes[0] and t("en", "claim_sent") in outcomes[1]
            assert t("en", "err_claim_limit") in outcomes[2]
            async with core.sessions() as session:
                assert await session.scalar(select(func.count(Claim.id))) == 2
    finally:
        await core.engine.dispose()


async def test_report_limit_counts_both_kinds_per_student(tmp_path, base_model_path,
                                                          encoder) -> None:
    from hoyamu.reports import ReportInput
    from hoyamu.validation import RateLimited

    core = await start_core(make_settings(tmp_path, base_model_path, reports_per_hour=2),
                            encoder=encoder)
    try:
        await core.reports.report(ReportInput(kind="lost", text="lost a green bottle", user_id=1))
        await core.reports.report(ReportInput(kind="found", text="found a red pen", user_id=1))
        with pytest.raises(RateLimited):
            await core.reports.report(ReportInput(kind="found", text="found blue keys", user_id=1))
        await core.reports.report(ReportInput(kind="found", text="found blue keys", user_id=2))
        async with core.sessions() as session:
            assert await session.scalar(select(func.count(Item.id))) == 3
    finally:
        await core.engine.dispose()


# --- secrets ---------------------------------------------------------------------------------

TOKEN = "7346251890:AAF3kq9ZxW-secretTokenForTests_0123456789ab"
API_KEY = "api-key-for-tests-92c1d7e0"


class FakeTelegram(BaseHTTPRequestHandler):
    """A Bot API on 127.0.0.1 that fails in the ways that put URLs and tokens into errors."""

    updates_served = 0

    def log_message(self, *args) -> None:  # quiet
        return None

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        method = self.path.rsplit("/", 1)[-1]
        if method == "getMe":
            body = {"ok": True, "result": {"id": 7346251890, "is_bot": True,
                                           "first_name": "Hoyamu", "username": "HoyamuBot"}}
        elif method == "getUpdates":
            cls = type(self)
            cls.updates_served += 1
            if cls.updates_served == 1:
                body = {"ok": True, "result": [{"update_id": 1, "message": {
                    "message_id": 1, "date": 0, "text": "/start",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                    "from": {"id": 5, "is_bot": False, "first_name": "A"},
                    "chat": {"id": 5, "type": "private"}}}]}
            else:  # a proxy that echoes the URL, token included
                body = {"ok": False, "error_code": 500,
                        "description": f"Internal error at {self.path}"}
        elif method == "sendMessage":
            body = {"ok": False, "error_code": 400,
                    "description": f"Bad Request: chat not found ({self.path})"}
        else:
            body = {"ok": True, "result": True}
        data = json.dumps(body).encode()
        self.send_response(200 if body["ok"] else body["error_code"])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.mark.slow
def test_no_secret_in_the_logs_of_a_running_bot(settings, tmp_path) -> None:
    """The real bot process, with a token, against a failing Bot API on loopback."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTelegram)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = child_env(settings, LOG_LEVEL="DEBUG", TELEGRAM_BOT_TOKEN=TOKEN, API_KEYS=API_KEY,
                    WEBHOOK_SECRET="webhook-secret-abc123",
                    TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{server.server_port}")
    try:
        process = subprocess.Popen([sys.executable, "-m", "cli", "run"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        watchdog = threading.Timer(300, process.kill)  # a hung bot ends the loop below
        watchdog.start()
        output = []
        for line in process.stdout:  # until the failures we want have been logged
            output.append(line)
            if FakeTelegram.updates_served >= 3 and any("Internal error" in x for x in output):
                break
        process.terminate()
        rest, _ = process.communicate(timeout=60)
        watchdog.cancel()
        log = "".join(output) + rest
    finally:
        server.shutdown()
    assert "Internal error at /bot[token]/getUpdates" in log  # the failure was logged...
    assert TOKEN not in log and TOKEN.split(":")[1] not in log  # ...without the token
    assert API_KEY not in log and "webhook-secret-abc123" not in log


def test_redaction_covers_messages_arguments_and_tracebacks(caplog) -> None:
    from hoyamu.logging_setup import RedactSecrets, register_secret

    register_secret(API_KEY)
    stream = __import__("io").StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("calling https://api.telegram.org/bot%s/getMe with %s", TOKEN, API_KEY)
        try:
            raise RuntimeError(f"https://api.telegram.org/bot{TOKEN}/sendMessage key={API_KEY}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "bot[token]/getMe" in text and "[secret]" in text and "Traceback" in text
    assert TOKEN not in text and API_KEY not in text
    assert not re.search(r"\d{6,}:[A-Za-z0-9_-]{30,}", text)


async def test_exports_and_errors_hold_no_secret(tmp_path, base_model_path, encoder) -> None:
    """A core that holds real secrets (token, API key, webhook secret): none reaches a chat."""
    from training.pairs import Pair, write_pairs

    secrets = {"telegram_bot_token": TOKEN, "api_keys": [API_KEY],
               "webhook_secret": "webhook-secret-abc123"}
    async with core_with(tmp_path, base_model_path, encoder, **secrets) as core, \
            BotHarness(core) as bot:
        write_pairs(core.settings.feedback_pairs_path, [Pair(
            "lost my black wallet", "found a wallet", source="feedback", origin="claim:1",
            signal="accepted")])
        calls = await bot.send(bot.user(ADMIN_ID), "/export")
        assert [c for c in calls if c.method == "sendDocument"]
        await bot.send(bot.user(ADMIN_ID), "/stats")
        # an unexpected error tells the student nothing about the inside
        original = core.items.user_items

        async def broken(*args, **kwargs):
            raise RuntimeError(f"connection to {core.settings.database_url} failed, token "
                               f"{core.settings.telegram_bot_token.get_secret_value()}")

        core.items.user_items = broken
        try:
            calls = await bot.send(bot.user(INTRUDER["id"]), "/mine")
        finally:
            core.items.user_items = original
        assert bot.texts_to(bot.user(INTRUDER["id"]), calls) == [t("en", "err_generic")]
        for call in bot.api.calls:
            dumped = json.dumps(call.params, default=str)
            for secret in (TOKEN, TOKEN.split(":")[1], API_KEY, "webhook-secret-abc123",
                           core.settings.database_url):
                assert secret not in dumped


def test_env_file_is_never_committed() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    lines = (ROOT / ".gitignore").read_text().split()
    assert ".env" in lines or ignored.returncode == 0
    tracked = subprocess.run(["git", "ls-files", ".env"], cwd=ROOT, capture_output=True,
                             text=True)
    assert tracked.stdout.strip() == ""


async def test_concurrent_votes_cannot_be_used_to_double_count(bot: BotHarness, core) -> None:
    owner = person(bot, OWNER)
    await bot.report(person(bot, FINDER), "found", "Found blue earphones in the canteen")
    calls = await bot.report(owner, "lost", "lost my blue earphones in the canteen")
    down = button_data(calls, "v:")[1]
    start = len(bot.api.calls)
    await asyncio.gather(*(bot.press_data(owner, down) for _ in range(5)))  # five quick taps
    answered = bot.answers(bot.api.calls[start:])
    assert len(answered) == 5
    assert {c.params.get("text") for c in answered} <= {t("en", "vote_down"), t("en", "vote_same")}
    async with core.sessions() as session:
        assert await session.scalar(select(func.count(Feedback.id))) == 1

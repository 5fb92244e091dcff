"""What a newcomer sees: `hoyamu run` without a token (the console chat) and with a token that
Telegram refuses; the console chat's keyboards and the files it receives."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr

from bot.console import FIRST_USER_ID, run_console
from bot.local_api import LocalBotAPI
from bot.main import TOKEN_REFUSED, run_bot
from tests.conftest import ROOT


def _console(settings, *lines: str) -> str:
    out = io.StringIO()
    script = "\n".join([*lines, "/quit"]) + "\n"
    import asyncio

    assert asyncio.run(run_console(settings, stdin=io.StringIO(script), out=out)) == 0
    return out.getvalue()


def test_a_refused_token_is_one_line_and_a_non_zero_exit(settings, capsys) -> None:
    refused = LocalBotAPI(fail_with={"getMe": (401, {"ok": False, "error_code": 401,
                                                     "description": "Unauthorized"})})
    bad = settings.model_copy(update={"telegram_bot_token": SecretStr(
        "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")})
    assert run_bot(bad, request=refused) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == TOKEN_REFUSED
    assert "TELEGRAM_BOT_TOKEN" in captured.err and ".env" in captured.err
    assert "Traceback" not in captured.out + captured.err
    assert "AAAAAAAA" not in captured.out + captured.err


def test_console_keyboards_of_earlier_messages_and_received_files(tmp_path,
                                                                 base_model_path) -> None:
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, base_model_path)
    text = _console(
        settings,
        "/start",          # message 1: the main menu
        "/lost",
        "lost my blue umbrella at the gym",  # message 2: where (read: gym)
        "1.2",             # an earlier keyboard: "I found something" on message 1
        "/stats",          # Amaya is the console's admin: numbers and a chart
    )
    lines = text.splitlines()
    assert lines[1].startswith("Hoyamu console chat:"), lines[:3]
    assert f"id {FIRST_USER_ID}" in text
    assert "[1.1]" in text and "[1.2]" in text
    assert "What did you find?" in text  # 1.2 pressed the old menu's second button
    saved = [line.split("saved: ", 1)[1] for line in lines if "saved: " in line]
    assert saved and all(Path(p).is_file() for p in saved)
    assert Path(saved[0]).read_bytes().startswith(b"\x89PNG")
    assert str(tmp_path / "console") in saved[0]


def test_console_refuses_another_students_keyboard(tmp_path, base_model_path) -> None:
    from tests.conftest import make_settings

    text = _console(make_settings(tmp_path, base_model_path), "/start", "/as Kasun", "1.1")
    assert "message 1 was sent to Amaya" in text


def test_console_replies_and_edited_keyboards() -> None:
    from bot.console import ConsoleChat
    from bot.local_api import Call

    chat = ConsoleChat(io.StringIO())
    markup = {"inline_keyboard": [[{"text": "✉️ Send a message", "callback_data": "r:7"}]]}
    relayed = Call("sendMessage", {"chat_id": FIRST_USER_ID, "text": "Message from the finder",
                                   "reply_markup": markup},
                   {"message_id": 55, "chat": {"id": FIRST_USER_ID}, "reply_markup": markup})
    chat.show(relayed)
    update = chat.update_for(">1 see you at 3")
    assert update["message"]["text"] == "see you at 3"
    assert update["message"]["reply_to_message"]["message_id"] == 55
    assert chat.update_for("1.1")["callback_query"]["data"] == "r:7"
    chat.show(Call("editMessageReplyMarkup", {"chat_id": FIRST_USER_ID, "message_id": 55}))
    assert chat.update_for("1.1") is None  # its buttons were removed
    assert "no buttons any more" in chat.out.getvalue()


def test_make_run_screen_shows_only_the_chat(tmp_path, base_model_path) -> None:
    """The real entry point in a subprocess: no log line, warning or traceback on the screen;
    the log goes to data/logs/console.log, named once."""
    env = {**os.environ, "DATA_DIR": str(tmp_path), "MODELS_DIR": str(tmp_path / "models"),
           "INDEX_DIR": str(tmp_path / "indices"), "BASE_MODEL": str(base_model_path),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/hoyamu.db",
           "TEXT_PAIRS_PATH": str(tmp_path / "pairs.json"), "PYTHONPATH": str(ROOT),
           "TELEGRAM_BOT_TOKEN": "", "INDEX_REFRESH_SECONDS": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "cli", "run"], input="/start\nlost my phone\n/quit\n",
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    screen = result.stdout + result.stderr
    assert result.returncode == 0, screen
    for noise in (" INFO ", " WARNING ", "Traceback", "Warning:", "faiss", "alembic",
                  "per_message", "it/s"):
        assert noise not in screen, (noise, screen)
    log = tmp_path / "logs" / "console.log"
    assert screen.count(str(log)) == 1
    assert "model base-e5-small ready" in log.read_text()
    assert "Hoyamu helps you find lost things" in screen

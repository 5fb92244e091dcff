"""`hoyamu run`: long polling or a webhook with a token; the console chat without one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from telegram import Bot
from telegram.error import InvalidToken, NetworkError
from telegram.request import BaseRequest

from bot.app import build_application, register_commands
from hoyamu.core import start_core
from hoyamu.logging_setup import redact, register_secret, setup_logging
from hoyamu.settings import Settings

log = logging.getLogger(__name__)

NO_TOKEN = """No TELEGRAM_BOT_TOKEN is set, so Hoyamu starts a local console chat instead.
To run the real bot: open Telegram, talk to @BotFather, send /newbot, and put the token it gives
you in a .env file as TELEGRAM_BOT_TOKEN=... (see .env.example), then `make run` again.
"""
TOKEN_REFUSED = ("Telegram refused the bot token. Check TELEGRAM_BOT_TOKEN in .env (or the "
                 "environment) against the token @BotFather gave you, or remove it to use the "
                 "console chat.")
NO_NETWORK = "Could not reach Telegram ({error}). Check the network, then `make run` again."


class TokenRefused(Exception):
    """Telegram answered getMe with 401/404: the token is wrong or revoked."""


async def _check_token(token: str, base_url: str | None, request: BaseRequest | None) -> None:
    """Ask Telegram who we are before loading the model: a wrong token fails in a second."""
    kwargs = {}
    if base_url:
        kwargs = {"base_url": f"{base_url.rstrip('/')}/bot",
                  "base_file_url": f"{base_url.rstrip('/')}/file/bot"}
    try:
        async with Bot(token, request=request, get_updates_request=request, **kwargs):
            pass
    except InvalidToken as exc:
        raise TokenRefused from exc


async def _serve(settings: Settings, request: BaseRequest | None = None) -> None:
    token = settings.telegram_bot_token.get_secret_value()
    register_secret(token, *(s.get_secret_value() for s in [settings.webhook_secret] if s))
    await _check_token(token, settings.telegram_api_base_url, request)
    core = await start_core(settings)
    application = build_application(core, token, request=request,
                                    base_url=settings.telegram_api_base_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with application:
            await register_commands(application)
            await application.start()
            if settings.webhook_url:
                secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
                await application.updater.start_webhook(
                    listen="0.0.0.0", port=settings.webhook_port, url_path="telegram",
                    webhook_url=f"{settings.webhook_url.rstrip('/')}/telegram", secret_token=secret)
                log.info("webhook mode on port %s", settings.webhook_port)
            else:
                await application.updater.start_polling()
                log.info("long polling; press Ctrl+C to stop")
            await stop.wait()
            await application.updater.stop()
            await application.stop()
    finally:
        await core.close()


@contextlib.contextmanager
def _stderr_into(path: Path) -> Iterator[None]:
    """Everything written to standard error (library progress bars, native-code warnings, a
    stray traceback) goes to the log file, so the console's screen shows only the chat."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("a", encoding="utf-8") as log_file:
        os.dup2(log_file.fileno(), 2)
        previous, sys.stderr = sys.stderr, log_file
        try:
            yield
        finally:
            sys.stderr.flush()
            sys.stderr = previous
            os.dup2(saved, 2)
            os.close(saved)


def run_console_chat(settings: Settings) -> int:
    from bot.console import run_console

    log_path = Path(settings.data_dir) / "logs" / "console.log"
    setup_logging(settings.log_level, file=log_path)
    with _stderr_into(log_path):
        try:
            return asyncio.run(run_console(settings, log_path=log_path))
        except KeyboardInterrupt:
            return 0
        except Exception:
            log.exception("the console chat stopped")
            print(f"Hoyamu stopped because of an error; the details are in {log_path}.")
            return 1


def run_bot(settings: Settings, console: bool = False, request: BaseRequest | None = None) -> int:
    """Run the bot; `request` replaces Telegram's network (tests). Returns the exit code."""
    if console or settings.telegram_bot_token is None:
        if not console:
            print(NO_TOKEN)
        return run_console_chat(settings)
    try:
        asyncio.run(_serve(settings, request))
    except TokenRefused:
        print(TOKEN_REFUSED, file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(NO_NETWORK.format(error=redact(str(exc))), file=sys.stderr)
        return 3
    return 0

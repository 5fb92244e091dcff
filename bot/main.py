"""`hoyamu run`: long polling or a webhook with a token; the console chat without one."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import build_application, register_commands
from hoyamu.core import start_core
from hoyamu.logging_setup import register_secret
from hoyamu.settings import Settings

log = logging.getLogger(__name__)

NO_TOKEN = """No TELEGRAM_BOT_TOKEN is set, so Hoyamu starts a local console chat instead.
To run the real bot: open Telegram, talk to @BotFather, send /newbot, and put the token it gives
you in a .env file as TELEGRAM_BOT_TOKEN=... (see .env.example), then `make run` again.
"""


async def _serve(settings: Settings) -> None:
    token = settings.telegram_bot_token.get_secret_value()
    register_secret(token, *(s.get_secret_value() for s in [settings.webhook_secret] if s))
    core = await start_core(settings)
    application = build_application(core, token, base_url=settings.telegram_api_base_url)
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


def run_bot(settings: Settings, console: bool = False) -> int:
    if console or settings.telegram_bot_token is None:
        from bot.console import run_console

        if not console:
            print(NO_TOKEN)
        return asyncio.run(run_console(settings))
    asyncio.run(_serve(settings))
    return 0

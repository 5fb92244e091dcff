"""A local console chat: the real application, handlers and services, with Telegram's network
replaced by the in-process Bot API. You type as a student; the bot's replies print with their
buttons numbered; type a number to press one. `/as NAME` switches student, `/photo` sends a
photo, `/quit` (or end of input) leaves."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from typing import TextIO

from telegram import Update

from bot.app import build_application
from bot.local_api import LOCAL_TOKEN, Call, LocalBotAPI, UpdateFactory
from hoyamu.core import start_core
from hoyamu.settings import Settings

TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


class ConsoleChat:
    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.factory = UpdateFactory()
        self.names: dict[int, str] = {}
        self.keyboards: dict[int, Call] = {}
        self.user = self._user("Amaya")

    def _user(self, name: str) -> dict:
        for user_id, known in self.names.items():
            if known.lower() == name.lower():
                return UpdateFactory.user(user_id, known)
        user_id = 1001 + len(self.names)
        self.names[user_id] = name
        return UpdateFactory.user(user_id, name)

    def show(self, call: Call) -> None:
        """Print what the bot sent, with numbered buttons."""
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            print(f"   ({plain(call.params['text'])})", file=self.out)
            return
        if not call.text and not call.buttons:
            return
        who = self.names.get(call.chat_id or 0, str(call.chat_id))
        photo = "[photo] " if call.method == "sendPhoto" else ""
        if call.text:
            print(f"\n🤖 → {who}: {photo}{plain(call.text)}", file=self.out)
        if call.buttons:
            self.keyboards[call.chat_id] = call
            labels = "   ".join(f"[{i}] {label}" for i, (label, _) in
                               enumerate(call.buttons, 1))
            print(f"   {labels}", file=self.out)

    def update_for(self, line: str) -> dict | None:
        """The Telegram update a typed line stands for (None for console commands)."""
        if line.startswith("/as "):
            self.user = self._user(line[4:].strip() or "Amaya")
            print(f"(you are now {self.user['first_name']})", file=self.out)
            return None
        if line.startswith("/photo"):
            caption = line[6:].strip() or None
            return self.factory.message(self.user, photo=f"console-photo-{len(line)}",
                                        caption=caption)
        keyboard = self.keyboards.get(self.user["id"])
        if line.isdigit() and keyboard and 1 <= int(line) <= len(keyboard.buttons):
            return self.factory.callback(self.user, keyboard.buttons[int(line) - 1][1], keyboard)
        return self.factory.message(self.user, text=line)


async def run_console(settings: Settings, stdin: TextIO = sys.stdin,
                      out: TextIO = sys.stdout) -> int:
    chat = ConsoleChat(out)
    print("Starting Hoyamu (the first start prepares the bundled model: ~20 s)...", file=out)
    core = await start_core(settings)
    api = LocalBotAPI(on_call=chat.show)
    application = build_application(core, LOCAL_TOKEN, request=api, rate_limit=False)
    print(__doc__.split("\n", 1)[1].replace("\n", " ").strip(), file=out)
    print("You are Amaya. Try: /start, or type what you lost.", file=out)
    try:
        async with application:
            await application.start()
            while True:
                line = await asyncio.to_thread(stdin.readline)
                if not line or line.strip() in ("/quit", "/exit"):
                    break
                update = chat.update_for(line.strip()) if line.strip() else None
                if update is not None:
                    await application.process_update(Update.de_json(update, application.bot))
            await application.stop()
    finally:
        await core.close()
    print("Bye!", file=out)
    return 0

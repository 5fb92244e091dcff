"""A local console chat: the real application, handlers and services, with Telegram's network
replaced by the in-process Bot API (bot/local_api.py)."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from telegram import Update

from bot.app import build_application
from bot.local_api import LOCAL_TOKEN, Call, LocalBotAPI, UpdateFactory
from hoyamu.core import start_core
from hoyamu.settings import Settings

TAG = re.compile(r"<[^>]+>")
PRESS = re.compile(r"(?:(\d+)\.)?(\d+)")
REPLY = re.compile(r">(\d+)\s+(.+)")
FIRST_USER_ID = 1001  # the console's first student, Amaya, is an admin of the console session

INTRO = """\
Hoyamu console chat: the real bot, database, model and index; only Telegram's network is local.
Type as a student. Buttons show as [3.1] = message 3, button 1: type 3.1 to press it (any earlier
message's buttons too), or just 1 for the newest message's buttons.
/as NAME switches student (be the owner and the finder), /photo [FILE] [caption] sends a photo,
/phone shares your phone number (Telegram's contact button), ">5 text" replies to message 5 (as Telegram's Reply does), /quit leaves. Photos, documents and charts the bot sends are saved in {files}.
You are Amaya (Telegram id {admin_id}, an admin here: try /stats). Log: {log}"""


def plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


@dataclass
class Shown:
    """A bot message with buttons, as printed: its number, recipient and keyboard."""

    number: int
    call: Call


class ConsoleChat:
    def __init__(self, out: TextIO = sys.stdout, files_dir: Path | None = None) -> None:
        self.out = out
        self.files_dir = files_dir
        self.factory = UpdateFactory()
        self.names: dict[int, str] = {}
        self.shown: dict[int, Shown] = {}  # console number -> message with buttons
        self.by_message_id: dict[tuple[int, int], int] = {}  # (chat, message id) -> number
        self.uploads: dict[str, Path] = {}  # file ids of photos the console user sent
        self.saved = 0
        self.user = self._user("Amaya")

    def _user(self, name: str) -> dict:
        for user_id, known in self.names.items():
            if known.lower() == name.lower():
                return UpdateFactory.user(user_id, known)
        user_id = FIRST_USER_ID + len(self.names)
        self.names[user_id] = name
        return UpdateFactory.user(user_id, name)

    def say(self, text: str) -> None:
        print(text, file=self.out)

    # --- what the bot sends -------------------------------------------------------------------

    def show(self, call: Call) -> None:
        """Print what the bot sent: text, numbered buttons, and where a received file was saved."""
        if call.method == "answerCallbackQuery":
            if call.params.get("text"):
                self.say(f"   ({plain(call.params['text'])})")
            return
        if call.method.startswith("edit"):
            self._edited(call)
            return
        saved = self._save_files(call)
        if not call.text and not call.buttons and not saved:
            return
        who = self.names.get(call.chat_id or 0, str(call.chat_id))
        kind = {"sendPhoto": "[photo] ", "sendDocument": "[document] "}.get(call.method, "")
        number = self._remember(call) if call.buttons else None
        tag = f"[{number}] " if number else ""
        self.say(f"\n🤖 {tag}→ {who}: {kind}{plain(call.text)}".rstrip())
        for path in saved:
            self.say(f"   saved: {path}")
        if number:
            self._print_buttons(number, call)

    def _remember(self, call: Call) -> int:
        number = len(self.shown) + 1
        self.shown[number] = Shown(number, call)
        if isinstance(call.result, dict) and call.chat_id is not None:
            self.by_message_id[(call.chat_id, call.result["message_id"])] = number
        return number

    def _print_buttons(self, number: int, call: Call) -> None:
        labels = "   ".join(f"[{number}.{i}] {label}" for i, (label, _) in
                           enumerate(call.buttons, 1))
        self.say(f"   {labels}")

    def _edited(self, call: Call) -> None:
        """An edit replaces a message's buttons (an edit without any removes them, as on
        Telegram) and maybe its text."""
        key = (call.chat_id or 0, int(call.params.get("message_id", 0)))
        number = self.by_message_id.get(key)
        if number is not None:
            old = self.shown[number].call
            params = {**old.params, **call.params, "reply_markup": call.params.get("reply_markup")}
            self.shown[number] = Shown(number, Call(old.method, params, old.result))
        if "text" in call.params or "caption" in call.params:
            self.say(f"\n🤖 (edited{f' {number}' if number else ''}) {plain(call.text)}")
        if number is not None and call.buttons:
            self._print_buttons(number, self.shown[number].call)

    def _save_files(self, call: Call) -> list[Path]:
        """Files in a sent message: uploaded bytes (charts, exports), or a photo the console
        user sent earlier, re-sent by its file id."""
        if self.files_dir is None:
            return []
        found: list[tuple[str, bytes]] = list(call.files.values())
        file_id = call.params.get("photo") or call.params.get("document")
        if isinstance(file_id, str) and file_id in self.uploads:
            source = self.uploads[file_id]
            found.append((source.name, source.read_bytes()))
        paths = []
        for name, content in found:
            self.saved += 1
            self.files_dir.mkdir(parents=True, exist_ok=True)
            suffix = _suffix(name, content)
            path = self.files_dir / f"{self.saved:03d}-{call.method[4:].lower()}{suffix}"
            path.write_bytes(content)
            paths.append(path)
        return paths

    # --- what the console user types -----------------------------------------------------------

    def update_for(self, line: str) -> dict | None:
        """The Telegram update a typed line stands for (None for console commands)."""
        if line.startswith("/as "):
            self.user = self._user(line[4:].strip() or "Amaya")
            self.say(f"(you are now {self.user['first_name']}, id {self.user['id']})")
            return None
        if line.startswith("/photo"):
            return self._photo(line[6:].strip())
        if line == "/phone":  # what Telegram's "send my phone number" button sends
            return self.factory.message(self.user, contact={
                "phone_number": f"+9477{self.user['id']:07d}", "first_name":
                self.user["first_name"], "user_id": self.user["id"]})
        if press := PRESS.fullmatch(line):
            return self._press(press)
        if answer := REPLY.fullmatch(line):
            shown = self._own(int(answer[1]))
            return shown and self.factory.message(self.user, text=answer[2], reply_to=shown.call)
        return self.factory.message(self.user, text=line)

    def _own(self, number: int) -> Shown | None:
        """Message `number`, if it was sent to the current student (else say whose it is)."""
        shown = self.shown.get(number)
        if shown is None:
            self.say(f"(there is no message {number} with buttons)")
            return None
        if shown.call.chat_id != self.user["id"]:
            owner = self.names.get(shown.call.chat_id or 0, "someone else")
            self.say(f"(message {number} was sent to {owner}: /as {owner} first)")
            return None
        return shown

    def _photo(self, rest: str) -> dict:
        first, _, caption = rest.partition(" ")
        file_id = f"console-photo-{len(self.uploads) + 1}"
        if first and Path(first).expanduser().is_file():
            self.uploads[file_id] = Path(first).expanduser()
        else:
            caption = rest
        return self.factory.message(self.user, photo=file_id, caption=caption or None)

    def _press(self, press: re.Match) -> dict | None:
        mine = [s for s in self.shown.values() if s.call.chat_id == self.user["id"]
                and s.call.buttons]
        if press[1] is None:  # a bare number: the newest keyboard of this student
            if not mine:
                return self.factory.message(self.user, text=press[2])
            shown = mine[-1]
        elif (shown := self._own(int(press[1]))) is None:
            return None
        index = int(press[2])
        if not shown.call.buttons:
            self.say(f"(message {shown.number} has no buttons any more)")
            return None
        if not 1 <= index <= len(shown.call.buttons):
            self.say(f"(message {shown.number} has buttons 1 to {len(shown.call.buttons)})")
            return None
        return self.factory.callback(self.user, shown.call.buttons[index - 1][1], shown.call)


def _suffix(name: str, content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return ".png"
    if content.startswith(b"\xff\xd8"):
        return ".jpg"
    suffix = Path(name).suffix
    return suffix if 1 < len(suffix) <= 5 else ".bin"


async def run_console(settings: Settings, stdin: TextIO = sys.stdin,
                      out: TextIO = sys.stdout, log_path: Path | None = None) -> int:
    """The console chat over a fresh core. The console's first student is an admin."""
    settings = settings.model_copy(update={
        "admin_ids": sorted({*settings.admin_ids, FIRST_USER_ID})})
    files_dir = Path(settings.data_dir) / "console"
    chat = ConsoleChat(out, files_dir)
    chat.say("Starting Hoyamu (the first start prepares the bundled model: ~20 s)...")
    core = await start_core(settings)
    api = LocalBotAPI(on_call=chat.show)
    application = build_application(core, LOCAL_TOKEN, request=api, rate_limit=False)
    chat.say(INTRO.format(files=files_dir, admin_id=FIRST_USER_ID,
                          log=log_path or "the terminal's standard error"))
    chat.say("Try: /start, or type what you lost.")
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
    chat.say("Bye!")
    return 0

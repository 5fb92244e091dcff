"""An in-process Bot API: a `BaseRequest` that answers Telegram methods locally.

It replaces only Telegram's network: the application, handlers, services, database, model and
index are the real ones. The console chat uses it to run without a token, and the tests use it to
see every method call the bot makes (with realistic JSON answers).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 7000000001
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Hoyamu", "username": "HoyamuBot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
LOCAL_TOKEN = f"{BOT_ID}:LOCAL-console-token-not-a-real-one-000000"
SENDING = {"sendMessage", "sendPhoto", "sendDocument", "sendContact"}
EDITING = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    result: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # uploads: name, content

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b.get("callback_data") or b.get("url") or "")
                for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class LocalBotAPI(BaseRequest):
    """Records calls; `on_call` (optional) sees each one, e.g. to print it in the console."""

    calls: list[Call] = field(default_factory=list)
    on_call: Callable[[Call], None] | None = None
    fail_with: dict[str, tuple[int, dict]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._message_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = _params(request_data)
        if name in self.fail_with:
            status, body = self.fail_with[name]
            return status, json.dumps(body).encode()
        result = self._answer(name, params)
        call = Call(name, params, result, _files(request_data))
        self.calls.append(call)
        if self.on_call:
            self.on_call(call)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict:
        chat_id = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": message_id or next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Student"},
            "from": BOT_USER,
        }
        for key in ("text", "caption"):
            if params.get(key) is not None:
                message[key] = params[key]
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # Telegram returns only
            message["reply_markup"] = markup                          # inline keyboards
        if "phone_number" in params:
            message["contact"] = {k: params[k] for k in ("phone_number", "first_name",
                                                         "last_name") if k in params}
        if "photo" in params:
            message["photo"] = [{"file_id": str(params["photo"]), "file_unique_id": "p",
                                 "width": 640, "height": 480}]
        if "document" in params:
            message["document"] = {"file_id": f"doc{next(self._file_ids)}",
                                   "file_unique_id": "d", "file_name": "file"}
        return message

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in SENDING:
            return self._message(params)
        if method in EDITING:
            if "inline_message_id" in params:
                return True
            return self._message(params, int(params.get("message_id", 0)) or None)
        if method == "getFile":
            return {"file_id": params.get("file_id"), "file_unique_id": "f", "file_size": 1,
                    "file_path": "photos/file.jpg"}
        if method == "getUpdates":
            return []
        return True  # answerCallbackQuery, setMyCommands, deleteMessage, setWebhook, ...

    # --- reading what the bot did ----------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.chat_id == chat_id and c.method in SENDING | EDITING]

    def last_to(self, chat_id: int) -> Call:
        sent = self.sent_to(chat_id)
        if not sent:
            raise AssertionError(f"the bot sent nothing to {chat_id}")
        return sent[-1]

    def clear(self) -> None:
        self.calls.clear()


def _params(request_data: RequestData | None) -> dict[str, Any]:
    if request_data is None:
        return {}
    return json.loads(json.dumps(request_data.parameters, default=str))


def _files(request_data: RequestData | None) -> dict[str, tuple[str, bytes]]:
    """Uploaded files (a chart sent as bytes, an exported document): field -> (name, content)."""
    if request_data is None or not request_data.contains_files:
        return {}
    files = {}
    for key, (filename, content, *_rest) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        files[key] = (filename or key, data)
    return files


class UpdateFactory:
    """Builds realistic Update JSON for a private chat, as Telegram would send it."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    @staticmethod
    def user(user_id: int, first_name: str = "Student", language_code: str | None = "en") -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def message(self, user: dict, text: str | None = None, photo: str | None = None,
                caption: str | None = None, reply_to: Call | None = None,
                contact: dict | None = None) -> dict:
        """A message from `user`; `reply_to` (a message the bot sent) makes it a reply;
        `contact` a shared contact (Telegram's "share my phone number" button sends the
        user's own, with their user_id)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()), "from": user,
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
        }
        if reply_to is not None and isinstance(reply_to.result, dict):
            message["reply_to_message"] = reply_to.result
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if contact is not None:
            message["contact"] = contact
        if photo is not None:
            message["photo"] = [{"file_id": f"{photo}-small", "file_unique_id": f"{photo}s",
                                 "width": 90, "height": 90},
                                {"file_id": photo, "file_unique_id": f"{photo}l", "width": 800,
                                 "height": 600}]
            if caption:
                message["caption"] = caption
        return {"update_id": next(self._update_ids), "message": message}

    def callback(self, user: dict, data: str, message: Call | None = None) -> dict:
        """A button press on `message` (a Call the bot made), or on an unknown old message."""
        chat_id = user["id"]
        bot_message = message.result if message and isinstance(message.result, dict) else {
            "message_id": 1, "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private"}, "text": "…"}
        return {"update_id": next(self._update_ids), "callback_query": {
            "id": str(next(self._update_ids)), "from": user, "chat_instance": str(chat_id),
            "data": data, "message": bot_message}}

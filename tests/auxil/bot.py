"""Drive the real Application with real Update JSON; only Telegram's network is local."""

from __future__ import annotations

from telegram import Update

from bot.app import build_application
from bot.local_api import LOCAL_TOKEN, Call, LocalBotAPI, UpdateFactory
from hoyamu.core import Core


class BotHarness:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.api = LocalBotAPI()
        self.app = build_application(core, LOCAL_TOKEN, request=self.api, rate_limit=False)
        self.factory = UpdateFactory()

    async def __aenter__(self) -> BotHarness:
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()

    @staticmethod
    def user(user_id: int, name: str = "Student", language: str | None = "en") -> dict:
        return UpdateFactory.user(user_id, name, language)

    async def feed(self, update: dict) -> list[Call]:
        """Process one update as the running application does (through its update processor,
        so concurrent feeds behave like concurrent Telegram updates); return the Bot API calls
        it caused (with concurrent feeds: the calls made while it ran)."""
        start = len(self.api.calls)
        parsed = Update.de_json(update, self.app.bot)
        await self.app.update_processor.process_update(parsed, self.app.process_update(parsed))
        return self.api.calls[start:]

    async def run_job(self, job) -> list[Call]:  # noqa: ANN001 (a bot/handlers/jobs.py function)
        """Run a scheduled job now, as the job queue would; return the calls it made."""
        from telegram.ext import CallbackContext

        start = len(self.api.calls)
        await job(CallbackContext(self.app))
        return self.api.calls[start:]

    async def send(self, user: dict, text: str, reply_to: Call | None = None) -> list[Call]:
        """`user` types `text`; with `reply_to` (a bot message) it is a Telegram reply to it."""
        return await self.feed(self.factory.message(user, text=text, reply_to=reply_to))

    async def photo(self, user: dict, file_id: str, caption: str | None = None) -> list[Call]:
        return await self.feed(self.factory.message(user, photo=file_id, caption=caption))

    def find_button(self, user: dict, wanted: str) -> tuple[Call, str]:
        """The newest message to `user` with a button whose data or label matches `wanted`."""
        for call in reversed(self.api.sent_to(user["id"])):
            for label, data in call.buttons:
                if wanted in label or data.startswith(wanted):
                    return call, data
        raise AssertionError(f"no button {wanted!r} was sent to {user['id']}")

    async def press(self, user: dict, wanted: str) -> list[Call]:
        message, data = self.find_button(user, wanted)
        return await self.feed(self.factory.callback(user, data, message))

    async def press_data(self, user: dict, data: str) -> list[Call]:
        """Press a button with arbitrary (possibly forged or stale) callback data."""
        return await self.feed(self.factory.callback(user, data))

    def texts_to(self, user: dict, calls: list[Call] | None = None) -> list[str]:
        calls = self.api.calls if calls is None else calls
        return [c.text for c in calls if c.chat_id == user["id"] and c.text]

    @staticmethod
    def answers(calls: list[Call]) -> list[Call]:
        return [c for c in calls if c.method == "answerCallbackQuery"]

    def offers(self, user: dict, data: str) -> bool:
        """Whether the newest message to `user` has a button with this callback data."""
        sent = self.api.sent_to(user["id"])
        return bool(sent) and any(d == data for _, d in sent[-1].buttons)

    async def walk_to_summary(self, user: dict, kind: str, text: str) -> None:
        """Everything of a report but the final "Submit" (no place, photo or question)."""
        await self.report(user, kind, text, submit=False)

    async def report(self, user: dict, kind: str, text: str, place: str | None = None,
                     photo: str | None = None, question: str | None = None,
                     detail: str | None = None, submit: bool = True) -> list[Call]:
        """Walk the whole report conversation with the buttons a student would press: the
        follow-up question (lost reports that name only the item) is answered with `detail` or
        skipped; a place read from the text is confirmed unless `place` is given."""
        await self.send(user, f"/{kind}")
        await self.send(user, text)
        if self.offers(user, "detail:skip"):
            await (self.send(user, detail) if detail else self.press(user, "detail:skip"))
        if place:
            await self.send(user, place)
        else:
            await self.press(user, "place:ok" if self.offers(user, "place:ok") else "skip")
        await self.press(user, "when:today")
        await (self.photo(user, photo) if photo else self.press(user, "skip"))
        await self.press(user, "cat:ok")
        if kind == "found":
            await (self.send(user, question) if question else self.press(user, "skip"))
        return await self.press(user, "confirm:yes") if submit else []

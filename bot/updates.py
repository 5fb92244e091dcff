"""Updates of one student are processed one after another; different students' run concurrently.

PTB's ConversationHandler documentation asks for `concurrent_updates` off: with concurrent
updates two quick taps on Submit both ran `submit` while the draft was still there and stored the
report twice. Turning concurrency off everywhere would make every student wait for the slowest
report being encoded. So this processor gives each user (the conversation's key is the chat and
the user; one user's updates in any chat are serialised) a FIFO lock: their updates keep their
order and never interleave, while other students' updates go ahead at once (up to
`max_concurrent_updates` in flight, as with `concurrent_updates(True)`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram.ext import BaseUpdateProcessor


def _key(update: object) -> int | None:
    user = getattr(update, "effective_user", None)
    if user is not None:
        return user.id
    chat = getattr(update, "effective_chat", None)
    return chat.id if chat is not None else None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # updates of that user in flight or waiting

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:  # no user and no chat (e.g. a poll's state): nothing to keep in order
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody waits: forget the lock (bounded memory)
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

"""Students: their row (created on first contact), interface language, and report limits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hoyamu.settings import Settings
from hoyamu.validation import RateLimited
from storage.db import retry_conflicts
from storage.models import Item, User, utcnow


class UserService:
    def __init__(self, settings: Settings, sessions: async_sessionmaker) -> None:
        self.settings = settings
        self.sessions = sessions

    async def ensure_user(self, session, user_id: int) -> User:
        user = await session.get(User, user_id)
        if user is None:
            # INSERT ... ON CONFLICT DO NOTHING: two first contacts at once (two reports, a
            # double tap) must not fail on the primary key; both then read the one row
            if session.get_bind().dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            await session.execute(insert(User).values(
                id=user_id, is_admin=user_id in self.settings.admin_ids, is_banned=False,
                created_at=utcnow()).on_conflict_do_nothing(index_elements=[User.id]))
            user = await session.get(User, user_id)
        return user

    async def get_user(self, user_id: int, telegram_language: str | None = None) -> User:
        """The user's row, created on first contact with a language from Telegram's setting."""
        async def work() -> User:
            async with self.sessions() as session, session.begin():
                user = await self.ensure_user(session, user_id)
                if user.language is None and telegram_language:
                    user.language = "si" if telegram_language.startswith("si") else "en"
                return user

        return await retry_conflicts(work)

    async def set_language(self, user_id: int, language: str) -> None:
        async def work() -> None:
            async with self.sessions() as session, session.begin():
                user = await self.ensure_user(session, user_id)
                user.language = language

        await retry_conflicts(work)

    async def check_report_rate(self, user_id: int) -> None:
        since = utcnow() - dt.timedelta(hours=1)
        async with self.sessions() as session:
            count = await session.scalar(select(func.count(Item.id)).where(
                Item.user_id == user_id, Item.created_at >= since))
        if count >= self.settings.reports_per_hour:
            raise RateLimited("rate_limited", "You have sent many reports in the last hour; please "
                              "try again later.", limit=self.settings.reports_per_hour)

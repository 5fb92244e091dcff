"""Reports as things a student owns: look up, close, return, delete, extend, expire, remind."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hoyamu.claims import ClaimView, end_claims
from hoyamu.serving import Serving
from hoyamu.settings import Settings
from hoyamu.validation import InvalidInput
from storage.models import Item, Kind, Status, utcnow

log = logging.getLogger(__name__)
MAX_ID = 2**31  # item ids are 32-bit integers on every database


def shareable_text(item: Item) -> str | None:
    """A report's text as people other than its author may see it (the HTTP API): a found
    item's description, unless it is sensitive (ID cards and the like); never a lost report's,
    which may hold the owner's name, NIC number or phone."""
    if item.kind == Kind.LOST or item.sensitive:
        return None
    return item.text


@dataclass
class StatusChange:
    """A report whose status changed, and the claims on it that ended with it."""

    item: Item
    ended: list[ClaimView] = field(default_factory=list)


class ItemService:
    def __init__(self, settings: Settings, sessions: async_sessionmaker, serving: Serving) -> None:
        self.settings = settings
        self.sessions = sessions
        self.serving = serving

    async def get_item(self, item_id: int) -> Item | None:
        async with self.sessions() as session:
            return await session.get(Item, item_id)

    async def get_item_by_ref(self, ref: str) -> Item | None:
        """An item by its external id (API) or, failing that, its numeric id."""
        async with self.sessions() as session:
            item = await session.scalar(select(Item).where(Item.external_id == ref))
            if item is None and ref.isascii() and ref.isdigit() and int(ref) < MAX_ID:
                item = await session.get(Item, int(ref))
            return item

    async def set_status(self, item_id: int, status: Status,
                         user_id: int | None = None) -> StatusChange:
        """Close, return, expire or delete an item; only its owner may (user_id None = admin/API).
        Every live claim on it ends (hoyamu/claims.py:end_claims), for the other side to be told."""
        async with self.sessions() as session, session.begin():
            item = await self.owned(session, item_id, user_id)
            if item.status != Status.OPEN and status != Status.DELETED:
                raise InvalidInput("not_open", "That report is already closed.")
            item.status = status
            item.closed_at = utcnow()
            ended = await end_claims(session, item, status)
        closed = [item] + [other for view in ended for other in view.reports
                           if other.status != Status.OPEN]
        self.serving.forget(closed)
        log.info("item %s is now %s; %d claims ended", item.id, status, len(ended))
        return StatusChange(item, ended)

    async def check_owner(self, item_id: int, user_id: int) -> Item:
        """The report, if it exists and `user_id` wrote it (before asking to confirm a delete)."""
        async with self.sessions() as session:
            return await self.owned(session, item_id, user_id)

    @staticmethod
    async def owned(session: AsyncSession, item_id: int, user_id: int | None) -> Item:
        item = await session.get(Item, item_id)
        if item is None or item.status == Status.DELETED:
            raise InvalidInput("not_found", "That report no longer exists.")
        if user_id is not None and item.user_id != user_id:
            raise InvalidInput("not_yours", "That report is not yours.")
        return item

    async def expire_due(self) -> list[Item]:
        """Close open reports past their expiry date; returns them (to tell their owners)."""
        now = utcnow()
        async with self.sessions() as session, session.begin():
            items = list(await session.scalars(select(Item).where(
                Item.status == Status.OPEN, Item.expires_at <= now)))
            for item in items:
                item.status, item.closed_at = Status.EXPIRED, now
        self.serving.forget(items)
        return items

    async def reminders_due(self) -> list[Item]:
        """Open reports expiring within REMINDER_DAYS_BEFORE days that were not reminded yet."""
        now = utcnow()
        soon = now + dt.timedelta(days=self.settings.reminder_days_before)
        async with self.sessions() as session, session.begin():
            items = list(await session.scalars(select(Item).where(
                Item.status == Status.OPEN, Item.expires_at <= soon, Item.reminded_at.is_(None),
                Item.user_id.is_not(None))))
            for item in items:
                item.reminded_at = now
        return items

    async def extend(self, item_id: int, user_id: int) -> Item:
        """Keep an open report for another REPORT_TTL_DAYS days."""
        async with self.sessions() as session, session.begin():
            item = await session.get(Item, item_id)
            if item is None or item.user_id != user_id:
                raise InvalidInput("not_yours", "That report is not yours.")
            if item.status != Status.OPEN:
                raise InvalidInput("not_open", "That report is already closed.")
            item.expires_at = utcnow() + dt.timedelta(days=self.settings.report_ttl_days)
            item.reminded_at = None
            return item

    async def user_items(self, user_id: int, open_only: bool = True) -> list[Item]:
        async with self.sessions() as session:
            query = select(Item).where(Item.user_id == user_id).order_by(Item.created_at.desc())
            if open_only:
                query = query.where(Item.status == Status.OPEN)
            return list(await session.scalars(query))


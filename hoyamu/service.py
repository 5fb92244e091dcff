"""The service layer: report, search, close, return, feedback. Shared by the bot, CLI and API.

A report is stored and its embedding saved in one transaction; only then is it added to the
in-memory index. The database is the source of truth and the index is rebuilt from it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import aliased

from hoyamu.runtime import Runtime, catch_up, open_ids, rebuild_index
from hoyamu.settings import Settings
from hoyamu.validation import (
    InvalidInput,
    RateLimited,
    check_category,
    check_kind,
    clean_description,
    clean_optional,
)
from matcher.lexicon import detect_category, is_sensitive, language_style
from matcher.ranking import Candidate, remember
from matcher.scoring import ScoreParts
from storage.db import is_unavailable
from storage.models import Claim, Embedding, Feedback, Item, Kind, Match, Status, User, utcnow

log = logging.getLogger(__name__)
CANDIDATES = 30
OWNER_CHECKS = 10  # lost reports a new found report is checked against, as their owners search
MAX_ID = 2**31  # item ids are 32-bit integers on every database
T = TypeVar("T")


async def retry_conflicts(work: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """Run a get-or-create transaction again when a concurrent one inserted the same row first
    (a double-tapped button, two first messages at once): the retry then finds that row."""
    for attempt in range(attempts):
        try:
            return await work()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            log.info("concurrent insert of the same row; retrying")
    raise AssertionError("unreachable")


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float | None, float | None]:
    """95% Wilson score interval of a proportion (None when there is no data)."""
    if total == 0:
        return None, None
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    spread = z * ((p * (1 - p) / total + z * z / (4 * total * total)) ** 0.5) / (1 + z * z / total)
    return max(0.0, centre - spread), min(1.0, centre + spread)


@dataclass
class ReportInput:
    kind: str
    text: str
    category: str | None = None
    place: str | None = None
    happened_on: dt.date | None = None
    photo_file_id: str | None = None
    verify_question: str | None = None
    verify_answer: str | None = None
    user_id: int | None = None
    external_id: str | None = None


@dataclass
class MatchView:
    """A candidate item with its score parts; match_id is set when the match was recorded."""

    item: Item
    parts: ScoreParts
    match_id: int | None = None


@dataclass
class ReportResult:
    item: Item
    matches: list[MatchView] = field(default_factory=list)


class HoyamuService:
    def __init__(self, settings: Settings, sessions: async_sessionmaker, runtime: Runtime) -> None:
        self.settings = settings
        self.sessions = sessions
        self.runtime = runtime  # the current model; replaced whole on promotion (hot swap)
        self.candidate: Runtime | None = None  # A/B: gets AB_FRACTION of the searches
        self._index_lock = asyncio.Lock()  # index writes vs. a swap's final catch-up

    def runtimes(self) -> list[Runtime]:
        return [self.runtime] + ([self.candidate] if self.candidate else [])

    def pick_runtime(self) -> Runtime:
        """The model for one search: the candidate for AB_FRACTION of them, else the current."""
        if self.candidate is not None and random.random() < self.settings.ab_fraction:
            return self.candidate
        return self.runtime

    def forget(self, items: list[Item]) -> None:
        """Drop closed items from every live index."""
        for runtime in self.runtimes():
            for item in items:
                runtime.index.remove(item.kind, [item.id])

    # --- reporting -------------------------------------------------------------------------

    async def report(self, data: ReportInput) -> ReportResult:
        """Validate, store, index and match one report."""
        kind = check_kind(data.kind)
        text = clean_description(data.text, self.settings.max_text_length)
        category = check_category(data.category) or detect_category(text)
        if data.user_id is not None:
            await self._check_report_rate(data.user_id)
        runtimes = self.runtimes()
        vectors = [await rt.encoder.encode_async(kind, text) for rt in runtimes]
        item = Item(
            kind=kind, text=text, category=category, place=clean_optional(data.place),
            happened_on=data.happened_on, photo_file_id=data.photo_file_id,
            language=language_style(text), sensitive=is_sensitive(text, category),
            verify_question=clean_optional(data.verify_question, 300),
            verify_answer=clean_optional(data.verify_answer, 300), user_id=data.user_id,
            external_id=data.external_id, status=Status.OPEN,
            expires_at=utcnow() + dt.timedelta(days=self.settings.report_ttl_days),
        )
        async with self.sessions() as session, session.begin():
            if data.external_id and await session.scalar(
                    select(Item.id).where(Item.external_id == data.external_id)):
                raise InvalidInput("duplicate_id", f"An item with id {data.external_id!r} exists.")
            if data.user_id is not None:
                await self._ensure_user(session, data.user_id)
            session.add(item)
            await session.flush()
            for runtime, vector in zip(runtimes, vectors, strict=True):
                session.add(Embedding(item_id=item.id, model_version=runtime.version,
                                      vector=vector.astype(np.float32).tobytes()))
        async with self._index_lock:
            for runtime, vector in zip(runtimes, vectors, strict=True):
                runtime.index.add(kind, [item.id], vector[None, :])
        log.info("stored %s item %s (%s, %s)", kind, item.id, category, item.language)
        remember(text)
        if self.settings.index_refresh_seconds > 0:
            # other processes on this database (more bots, the API, the CLI): take in what they
            # committed before this report, so that of any two reports the later one always
            # sees the earlier one, whichever process each arrived at
            try:
                await self.refresh_index(runtimes, since=item.created_at - self._lookback())
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("index catch-up skipped: database unavailable", exc_info=True)
        chosen = self.pick_runtime()
        vector = vectors[runtimes.index(chosen)] if chosen in runtimes else vectors[0]
        try:
            matches = await self._matches_for(item, vector,
                                              chosen if chosen in runtimes else runtimes[0])
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # the report is stored and indexed: say so (a "try again" would store it twice);
            # later reports of the other kind still match it
            log.warning("item %s stored, but its matches could not be recorded", item.id,
                        exc_info=True)
            matches = []
        return ReportResult(item, matches)

    async def _matches_for(self, item: Item, vector: np.ndarray, runtime: Runtime) -> list[MatchView]:
        """Lost report: its top 3 shown matches. Found report: owners to notify."""
        if item.kind == Kind.LOST:
            views = await self._rank(vector, item.text, item.category, Kind.FOUND, runtime, 3,
                                     self.settings.display_threshold)
        else:
            views = await self._rank(vector, item.text, item.category, Kind.LOST, runtime,
                                     OWNER_CHECKS, 0.0)
            views = [v for v in views if v.item.user_id != item.user_id or v.item.user_id is None]
            views = await self._as_owners_see(item, views, runtime)
        await self._record_matches(item, views, runtime.version)
        return views

    async def _as_owners_see(self, found: Item, views: list[MatchView],
                             runtime: Runtime) -> list[MatchView]:
        """Score each lost report's pair with the new found report as the owner's own search
        would (among all found reports), so a pair scores the same whichever came first; keep
        those at or above NOTIFY_THRESHOLD."""
        if not views:
            return []
        async with self.sessions() as session:
            rows = await session.execute(select(Embedding.item_id, Embedding.vector).where(
                Embedding.model_version == runtime.version,
                Embedding.item_id.in_([v.item.id for v in views])))
            vectors = {i: np.frombuffer(blob, dtype=np.float32) for i, blob in rows}
        owners = []
        for view in views:
            lost = view.item
            if lost.id not in vectors:
                continue
            seen = await self._rank(vectors[lost.id], lost.text, lost.category, Kind.FOUND,
                                    runtime, CANDIDATES, 0.0)
            mine = next((v for v in seen if v.item.id == found.id), None)
            if mine is not None and mine.parts.score >= self.settings.notify_threshold:
                owners.append(MatchView(lost, mine.parts))
        owners.sort(key=lambda v: v.parts.score, reverse=True)
        return owners

    async def search(self, text: str, kind: str = "lost", limit: int = 3,
                     min_score: float | None = None) -> list[MatchView]:
        """Best open items of the other kind for a description of kind `kind` (nothing stored)."""
        kind = check_kind(kind)
        text = clean_description(text, self.settings.max_text_length)
        limit = max(1, min(int(limit), 50))
        runtime = self.pick_runtime()
        vector = await runtime.encoder.encode_async(kind, text)
        threshold = self.settings.display_threshold if min_score is None else min_score
        return await self._rank(vector, text, detect_category(text), Kind(kind).other, runtime,
                                limit, threshold)

    async def _rank(self, vector: np.ndarray, text: str, category: str, target: Kind,
                    runtime: Runtime, limit: int, threshold: float) -> list[MatchView]:
        """The FAISS top 30 of the other kind, open ones, through the one ranking path."""
        hits = runtime.index.search(target, vector, max(CANDIDATES, limit * 3))
        if not hits:
            return []
        async with self.sessions() as session:
            rows = await session.scalars(select(Item).where(Item.id.in_([i for i, _ in hits])))
            items = {item.id: item for item in rows if item.status == Status.OPEN}
        candidates = [Candidate(i, items[i].text, items[i].category, cosine)
                      for i, cosine in hits if i in items]
        ranking = runtime.ranking(self.settings.weights, self.settings.scoring)
        ranked = ranking.rank(text, category, candidates)
        return [MatchView(items[r.key], r.parts) for r in ranked
                if r.parts.score >= threshold][:limit]

    async def _record_matches(self, item: Item, views: list[MatchView], version: str) -> None:
        if not views:
            return

        async def work() -> None:
            async with self.sessions() as session, session.begin():
                for view in views:
                    lost_id, found_id = ((item.id, view.item.id) if item.kind == Kind.LOST
                                         else (view.item.id, item.id))
                    view.match_id = await self._upsert_match(session, lost_id, found_id,
                                                             view.parts, version)

        await retry_conflicts(work)

    async def _upsert_match(self, session, lost_id: int, found_id: int, parts: ScoreParts,
                            version: str) -> int:
        match = await session.scalar(select(Match).where(
            Match.lost_id == lost_id, Match.found_id == found_id, Match.model_version == version))
        if match is None:
            match = Match(lost_id=lost_id, found_id=found_id, model_version=version)
            session.add(match)
        match.score, match.cosine, match.semantic = parts.score, parts.cosine, parts.semantic
        match.keyword, match.category = parts.keyword, parts.category
        await session.flush()
        return match.id

    async def record_match(self, lost_id: int, found_id: int, parts: ScoreParts,
                           version: str | None = None) -> int:
        """Record a pair shown outside a report (e.g. a later search); returns the match id."""
        async def work() -> int:
            async with self.sessions() as session, session.begin():
                return await self._upsert_match(session, lost_id, found_id, parts,
                                                version or self.runtime.version)

        return await retry_conflicts(work)

    # --- items -----------------------------------------------------------------------------

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

    async def set_status(self, item_id: int, status: Status, user_id: int | None = None) -> Item:
        """Close, return, expire or delete an item; only its owner may (user_id None = admin/API)."""
        async with self.sessions() as session, session.begin():
            item = await session.get(Item, item_id)
            if item is None or item.status == Status.DELETED:
                raise InvalidInput("not_found", "That report no longer exists.")
            if user_id is not None and item.user_id != user_id:
                raise InvalidInput("not_yours", "That report is not yours.")
            if item.status != Status.OPEN and status != Status.DELETED:
                raise InvalidInput("not_open", "That report is already closed.")
            item.status = status
            item.closed_at = utcnow()
        self.forget([item])
        log.info("item %s is now %s", item.id, status)
        return item

    async def expire_due(self) -> list[Item]:
        """Close open reports past their expiry date; returns them (to tell their owners)."""
        now = utcnow()
        async with self.sessions() as session, session.begin():
            items = list(await session.scalars(select(Item).where(
                Item.status == Status.OPEN, Item.expires_at <= now)))
            for item in items:
                item.status, item.closed_at = Status.EXPIRED, now
        self.forget(items)
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

    def _lookback(self) -> dt.timedelta:
        """How far back a report's own catch-up looks: anything older was taken in by the
        periodic refresh (two periods, plus a minute for clocks of other machines)."""
        return dt.timedelta(seconds=2 * self.settings.index_refresh_seconds + 60)

    async def refresh_index(self, runtimes: list[Runtime] | None = None,
                            since: dt.datetime | None = None) -> int:
        """Catch every live index up with the database: reports that other processes sharing
        it stored or closed (only those created since `since`, when given). Returns the number
        of items added or removed."""
        changes = 0
        for runtime in runtimes or self.runtimes():
            async with self._index_lock:  # a report's index add waits: nothing is dropped
                changes += await catch_up(runtime, self.sessions, since)
        return changes

    async def reindex(self) -> int:
        """Rebuild the current model's index from the database and save it."""
        runtime = self.runtime
        runtime.index = await rebuild_index(runtime.encoder, self.sessions,
                                            await open_ids(self.sessions))
        runtime.save_index()
        return runtime.index.size()

    # --- feedback --------------------------------------------------------------------------

    async def vote(self, match_id: int, user_id: int, up: bool) -> tuple[Match, bool]:
        """Store a 👍/👎 by the lost report's owner; a second press changes the vote.

        Returns the match and whether anything changed."""
        return await retry_conflicts(lambda: self._vote(match_id, user_id, up))

    async def _vote(self, match_id: int, user_id: int, up: bool) -> tuple[Match, bool]:
        async with self.sessions() as session, session.begin():
            match = await session.get(Match, match_id)
            if match is None:
                raise InvalidInput("not_found", "That match no longer exists.")
            if match.lost.user_id != user_id:
                raise InvalidInput("not_yours", "Only the owner of the lost report can answer.")
            vote = "up" if up else "down"
            feedback = await session.scalar(select(Feedback).where(
                Feedback.match_id == match_id, Feedback.user_id == user_id))
            if feedback is None:
                session.add(Feedback(match_id=match_id, user_id=user_id, vote=vote,
                                     item_id=match.found_id, model_version=match.model_version))
                return match, True
            changed = feedback.vote != vote
            feedback.vote = vote
            return match, changed

    async def api_feedback(self, query: str, item_ref: str, was_correct: bool) -> Feedback:
        """Feedback from the HTTP API: the query text and the item it was (not) about."""
        text = clean_description(query, self.settings.max_text_length)
        item = await self.get_item_by_ref(item_ref)
        if item is None:
            raise InvalidInput("not_found", f"No item {item_ref!r}.")
        async with self.sessions() as session, session.begin():
            feedback = Feedback(query_text=text, item_id=item.id, vote="up" if was_correct else "down",
                                model_version=self.runtime.version)
            session.add(feedback)
        return feedback

    # --- users and stats -------------------------------------------------------------------

    async def _ensure_user(self, session, user_id: int) -> User:
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
                user = await self._ensure_user(session, user_id)
                if user.language is None and telegram_language:
                    user.language = "si" if telegram_language.startswith("si") else "en"
                return user

        return await retry_conflicts(work)

    async def set_language(self, user_id: int, language: str) -> None:
        async def work() -> None:
            async with self.sessions() as session, session.begin():
                user = await self._ensure_user(session, user_id)
                user.language = language

        await retry_conflicts(work)

    async def _check_report_rate(self, user_id: int) -> None:
        since = utcnow() - dt.timedelta(hours=1)
        async with self.sessions() as session:
            count = await session.scalar(select(func.count(Item.id)).where(
                Item.user_id == user_id, Item.created_at >= since))
        if count >= self.settings.reports_per_hour:
            raise RateLimited("rate_limited", "You have sent many reports in the last hour; please "
                              "try again later.", limit=self.settings.reports_per_hour)

    async def feedback_scores(self) -> dict[str, list[float]]:
        """Scores of shown matches that got a 👍 or a 👎."""
        async with self.sessions() as session:
            rows = await session.execute(select(Feedback.vote, Match.score).join(
                Match, Feedback.match_id == Match.id))
            scores: dict[str, list[float]] = {"up": [], "down": []}
            for vote, score in rows:
                scores[vote].append(score)
            return scores

    async def ab_report(self) -> list[dict]:
        """Per model: matches shown, 👍, 👎, 👍 rate with a 95% Wilson interval."""
        async with self.sessions() as session:
            shown = dict(tuple(r) for r in await session.execute(
                select(Match.model_version, func.count(Match.id)).group_by(Match.model_version)))
            votes = await session.execute(
                select(Match.model_version, Feedback.vote, func.count(Feedback.id))
                .join(Match, Feedback.match_id == Match.id)
                .group_by(Match.model_version, Feedback.vote))
            counts: dict[str, dict[str, int]] = {}
            for version, vote, n in votes:
                counts.setdefault(version, {})[vote] = n
        report = []
        for version in sorted(set(shown) | set(counts)):
            up, down = counts.get(version, {}).get("up", 0), counts.get(version, {}).get("down", 0)
            low, high = wilson(up, up + down)
            report.append({"model": version, "shown": shown.get(version, 0), "up": up,
                           "down": down, "rate": up / (up + down) if up + down else None,
                           "low": low, "high": high})
        return report

    async def median_handback_hours(self) -> float | None:
        """Median time from a lost report to its return, in hours."""
        lost = aliased(Item)
        async with self.sessions() as session:
            rows = await session.execute(select(Claim.returned_at, lost.created_at).join(
                lost, Claim.lost_id == lost.id).where(Claim.returned_at.is_not(None)))
            hours = sorted((returned - created).total_seconds() / 3600 for returned, created in rows)
        if not hours:
            return None
        middle = len(hours) // 2
        return hours[middle] if len(hours) % 2 else (hours[middle - 1] + hours[middle]) / 2

    async def stats(self) -> dict:
        async with self.sessions() as session:
            by_status = dict((f"{kind}_{status}", n) for kind, status, n in await session.execute(
                select(Item.kind, Item.status, func.count(Item.id)).group_by(Item.kind, Item.status)))
            votes = dict(tuple(row) for row in await session.execute(
                select(Feedback.vote, func.count(Feedback.id)).group_by(Feedback.vote)))
            matches = await session.scalar(select(func.count(Match.id)))
        return {
            "open_lost": by_status.get("lost_open", 0),
            "open_found": by_status.get("found_open", 0),
            "returned": by_status.get("lost_returned", 0) + by_status.get("found_returned", 0),
            "matches_shown": matches or 0,
            "feedback_up": votes.get("up", 0),
            "feedback_down": votes.get("down", 0),
            "model": self.runtime.version,
            "index_size": self.runtime.index.size(),
        }

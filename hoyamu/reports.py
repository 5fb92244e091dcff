"""Reporting and matching: store a report, index it, rank the other kind, record the matches.

A report is stored and its embedding saved in one transaction; only then is it added to the
in-memory index. The database is the source of truth and the index is rebuilt from it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hoyamu.runtime import Runtime
from hoyamu.serving import Serving
from hoyamu.settings import Settings
from hoyamu.users import UserService
from hoyamu.validation import (
    InvalidInput,
    check_category,
    check_kind,
    clean_description,
    clean_optional,
)
from matcher.lexicon import detect_category, is_sensitive, language_style
from matcher.ranking import Candidate, remember
from matcher.scoring import ScoreParts
from storage.db import is_unavailable, retry_conflicts
from storage.models import Embedding, Item, Kind, Match, Status, utcnow

log = logging.getLogger(__name__)
CANDIDATES = 30
OWNER_CHECKS = 10  # lost reports a new found report is checked against, as their owners search


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


class ReportService:
    def __init__(self, settings: Settings, sessions: async_sessionmaker, serving: Serving,
                 users: UserService) -> None:
        self.settings = settings
        self.sessions = sessions
        self.serving = serving
        self.users = users

    async def report(self, data: ReportInput) -> ReportResult:
        """Validate, store, index and match one report."""
        kind = check_kind(data.kind)
        text = clean_description(data.text, self.settings.max_text_length)
        category = check_category(data.category) or detect_category(text)
        if data.user_id is not None:
            await self.users.check_report_rate(data.user_id)
        runtimes = self.serving.runtimes()
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
                await self.users.ensure_user(session, data.user_id)
            session.add(item)
            await session.flush()
            for runtime, vector in zip(runtimes, vectors, strict=True):
                session.add(Embedding(item_id=item.id, model_version=runtime.version,
                                      vector=vector.astype(np.float32).tobytes()))
        await self.serving.add(kind, item.id, runtimes, vectors)
        log.info("stored %s item %s (%s, %s)", kind, item.id, category, item.language)
        remember(text)
        if self.settings.index_refresh_seconds > 0:
            # other processes on this database (more bots, the API, the CLI): take in what they
            # committed before this report, so that of any two reports the later one always
            # sees the earlier one, whichever process each arrived at
            try:
                await self.serving.refresh_index(runtimes, since=item.created_at - self._lookback())
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("index catch-up skipped: database unavailable", exc_info=True)
        chosen = self.serving.pick_runtime()
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

    def _lookback(self) -> dt.timedelta:
        """How far back a report's own catch-up looks: anything older was taken in by the
        periodic refresh (two periods, plus a minute for clocks of other machines)."""
        return dt.timedelta(seconds=2 * self.settings.index_refresh_seconds + 60)

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
        runtime = self.serving.pick_runtime()
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
                                                version or self.serving.runtime.version)

        return await retry_conflicts(work)

"""Statistics for admins: counts, the scores of voted matches, A/B rates, hand-back time."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import aliased

from hoyamu.serving import Serving
from storage.models import Claim, Feedback, Item, Match


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float | None, float | None]:
    """95% Wilson score interval of a proportion (None when there is no data)."""
    if total == 0:
        return None, None
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    spread = z * ((p * (1 - p) / total + z * z / (4 * total * total)) ** 0.5) / (1 + z * z / total)
    return max(0.0, centre - spread), min(1.0, centre + spread)



class StatsService:
    def __init__(self, sessions: async_sessionmaker, serving: Serving) -> None:
        self.sessions = sessions
        self.serving = serving

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
            "model": self.serving.runtime.version,
            "index_size": self.serving.runtime.index.size(),
        }

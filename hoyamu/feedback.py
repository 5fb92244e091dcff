"""Feedback: a lost report's owner votes 👍/👎 on a match; campus systems send API feedback."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hoyamu.serving import Serving
from hoyamu.settings import Settings
from hoyamu.validation import InvalidInput, clean_description
from storage.db import retry_conflicts
from storage.models import Feedback, Match
from training.fold import fold_feedback
from training.pairs import load_pairs, signal_counts

if TYPE_CHECKING:  # items.py imports claims.py, which records votes through this module
    from hoyamu.items import ItemService


async def record_vote(session: AsyncSession, match: Match, user_id: int, up: bool) -> bool:
    """Store the owner's 👍/👎 on a match in `session`; a second press changes the vote.
    Returns whether anything changed. The caller has checked that `user_id` owns the lost report."""
    vote = "up" if up else "down"
    feedback = await session.scalar(select(Feedback).where(
        Feedback.match_id == match.id, Feedback.user_id == user_id))
    if feedback is None:
        session.add(Feedback(match_id=match.id, user_id=user_id, vote=vote,
                             item_id=match.found_id, model_version=match.model_version))
        return True
    changed = feedback.vote != vote
    feedback.vote = vote
    return changed


class FeedbackService:
    def __init__(self, settings: Settings, sessions: async_sessionmaker, serving: Serving,
                 items: ItemService) -> None:
        self.settings = settings
        self.sessions = sessions
        self.serving = serving
        self.items = items

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
            return match, await record_vote(session, match, user_id, up)

    async def api_feedback(self, query: str, item_ref: str, was_correct: bool) -> Feedback:
        """Feedback from the HTTP API: the query text and the item it was (not) about."""
        text = clean_description(query, self.settings.max_text_length)
        item = await self.items.get_item_by_ref(item_ref)
        if item is None:
            raise InvalidInput("not_found", f"No item {item_ref!r}.")
        async with self.sessions() as session, session.begin():
            feedback = Feedback(query_text=text, item_id=item.id, vote="up" if was_correct else "down",
                                model_version=self.serving.runtime.version)
            session.add(feedback)
        return feedback

    async def fold(self) -> int:
        """Fold the verified feedback into the feedback pairs file (training/fold.py); returns
        how many pairs were added. The seed pairs are read, never written."""
        return await fold_feedback(self.sessions, self.settings.text_pairs_path,
                                   self.settings.feedback_pairs_path, self.settings.eval_dirs)

    def folded(self) -> tuple[Path, dict[str, int]]:
        """The feedback pairs file and how many of its pairs each signal made (for /export)."""
        path = Path(self.settings.feedback_pairs_path)
        pairs = load_pairs(path) if path.exists() else []
        return path, signal_counts(pairs)

"""Fold students' feedback into `data/text_pairs.json`.

- a 👍 on a match, and every item marked returned, add (lost text -> anchor, found text -> positive)
  with `source` "feedback" or "return" and `origin` naming the row it came from;
- a 👎 adds that found text as a hard negative for the anchor when the anchor has a positive
  (in the file or in this fold); otherwise it stays in the database and folds later;
- a changed vote counts once, as its last value (one feedback row per user and match);
- hand-written pairs are never altered, evaluation texts never enter, folding twice adds nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import aliased

from matcher.lexicon import normalize
from storage.models import Claim, ClaimStatus, Feedback, Item, Match
from training.pairs import Pair, update_pairs, valid_pairs

EVAL_FILES = ("corpus.jsonl", "queries.jsonl", "nomatch.jsonl")


def eval_texts(eval_dir: Path) -> set[str]:
    """Normalised texts of the held-out evaluation set, which must never be trained on."""
    import json

    texts: set[str] = set()
    for name in EVAL_FILES:
        path = eval_dir / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    texts.add(normalize(json.loads(line)["text"]))
    return texts


async def collect_feedback(sessions: async_sessionmaker) -> tuple[list[Pair], list[tuple[str, str, str]]]:
    """Positive pairs (👍 and returns) and 👎 triples (anchor, found text, origin)."""
    lost, found = aliased(Item), aliased(Item)
    positives: list[Pair] = []
    downs: list[tuple[str, str, str]] = []
    async with sessions() as session:
        rows = await session.execute(
            select(Feedback.id, Feedback.vote, lost.text, found.text)
            .join(Match, Feedback.match_id == Match.id)
            .join(lost, Match.lost_id == lost.id).join(found, Match.found_id == found.id)
            .order_by(Feedback.id))
        api_rows = await session.execute(
            select(Feedback.id, Feedback.vote, Feedback.query_text, Item.text)
            .join(Item, Feedback.item_id == Item.id)
            .where(Feedback.match_id.is_(None), Feedback.query_text.is_not(None))
            .order_by(Feedback.id))
        for feedback_id, vote, anchor, positive in [*rows, *api_rows]:
            origin = f"feedback:{feedback_id}"
            if vote == "up":
                positives.append(Pair(anchor, positive, source="feedback", origin=origin))
            else:
                downs.append((anchor, positive, origin))
        returns = await session.execute(
            select(Claim.id, lost.text, found.text)
            .join(lost, Claim.lost_id == lost.id).join(found, Claim.found_id == found.id)
            .where(Claim.status == ClaimStatus.RETURNED).order_by(Claim.id))
        for claim_id, anchor, positive in returns:
            positives.append(Pair(anchor, positive, source="return", origin=f"claim:{claim_id}"))
    return positives, downs


def merge(current: list[Pair], positives: list[Pair], downs: list[tuple[str, str, str]],
          excluded: set[str]) -> list[Pair]:
    """The file's pairs, untouched, followed by the new ones."""
    def allowed(*texts: str) -> bool:
        return not any(normalize(t) in excluded for t in texts)

    # every new pair passes the loader's own check first: one the loader would reject (a lost
    # and a found report with the same text) is logged with its origin and skipped
    merged = list(current)
    merged += valid_pairs(p for p in positives if allowed(p.anchor, p.positive))
    positive_of: dict[str, str] = {}
    for pair in merged:
        positive_of.setdefault(normalize(pair.anchor), pair.positive)
    merged += valid_pairs(
        Pair(anchor, positive_of[normalize(anchor)], negative, source="feedback", origin=origin)
        for anchor, negative, origin in downs
        if normalize(anchor) in positive_of and allowed(anchor, negative))
    return merged


async def fold_feedback(sessions: async_sessionmaker, pairs_path: Path,
                        eval_dirs: Iterable[Path]) -> int:
    """Fold all feedback into the pairs file; returns how many pairs were added.

    Texts of the evaluation sets in `eval_dirs` never enter."""
    positives, downs = await collect_feedback(sessions)
    excluded: set[str] = set()
    for folder in eval_dirs:
        excluded |= eval_texts(Path(folder))
    before: list[int] = []

    def change(current: list[Pair]) -> list[Pair]:
        before.append(len(current))
        return merge(current, positives, downs, excluded)

    after = await asyncio.to_thread(update_pairs, pairs_path, change)
    return len(after) - before[0]


def fold_feedback_sync(database_url: str, pairs_path: Path, eval_dirs: Iterable[Path]) -> int:
    from storage.db import make_engine, make_sessionmaker, migrate

    async def run() -> int:
        engine = make_engine(database_url)
        try:
            await migrate(engine)
            return await fold_feedback(make_sessionmaker(engine), pairs_path, list(eval_dirs))
        finally:
            await engine.dispose()

    return asyncio.run(run())

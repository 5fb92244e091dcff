"""Fold verified feedback into the training pairs.

Only what a person proved becomes a positive:

- a claim the finder **accepted** (the owner answered the finder's question or the finder saw
  their report), and every item handed back (**returned**), adds (lost text -> anchor, found
  text -> positive), `signal` "accepted" or "returned";
- a claim the finder **declined**, a 👎 by the owner and an API verdict `was_correct: false` add
  that found text as a hard negative of the anchor, `signal` "declined" / "down" / "api", once
  the anchor has a positive (in the files or in this fold); until then they wait in the database;
- a 👍 alone is a guess, not proof: it never makes a pair (nor does an API `was_correct: true`);
- votes and claims of banned users never count;
- evaluation texts never enter, folding twice adds nothing.

Folded pairs go to their own file (FEEDBACK_PAIRS_PATH, default `data/feedback_pairs.json`),
append-only in a fixed key order, so that a diff shows exactly what was learned; the tracked,
hand-written seed file (`data/text_pairs.json`) is read, never rewritten. Training reads both.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import aliased

from matcher.lexicon import normalize
from storage.models import Claim, ClaimStatus, Feedback, Item, Match, User
from training.pairs import Pair, load_pairs, update_pairs, valid_pairs

EVAL_FILES = ("corpus.jsonl", "queries.jsonl", "nomatch.jsonl")


def eval_texts(eval_dir: Path) -> set[str]:
    """Normalised texts of the held-out evaluation set, which must never be trained on."""
    texts: set[str] = set()
    for name in EVAL_FILES:
        path = eval_dir / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    texts.add(normalize(json.loads(line)["text"]))
    return texts


@dataclass(frozen=True)
class Negative:
    anchor: str
    negative: str
    origin: str
    signal: str


@dataclass
class Signals:
    """What the database holds that may be folded."""

    positives: list[Pair] = field(default_factory=list)
    negatives: list[Negative] = field(default_factory=list)


async def collect_feedback(sessions: async_sessionmaker) -> Signals:
    """Verified positives (accepted or returned claims) and hard negatives (declined claims,
    👎, API verdicts), leaving out everything a banned user said or did."""
    lost, found = aliased(Item), aliased(Item)
    banned = select(User.id).where(User.is_banned.is_(True))
    signals = Signals()
    async with sessions() as session:
        claims = await session.execute(
            select(Claim.id, Claim.status, lost.text, found.text)
            .join(lost, Claim.lost_id == lost.id).join(found, Claim.found_id == found.id)
            .where(Claim.status.in_([*ClaimStatus.verified(), ClaimStatus.DECLINED]),
                   Claim.claimant_id.not_in(banned),
                   Claim.finder_id.is_(None) | Claim.finder_id.not_in(banned))
            .order_by(Claim.id))
        for claim_id, status, anchor, positive in claims:
            origin = f"claim:{claim_id}"
            if status == ClaimStatus.DECLINED:
                signals.negatives.append(Negative(anchor, positive, origin, "declined"))
            elif status == ClaimStatus.RETURNED:
                signals.positives.append(Pair(anchor, positive, source="return", origin=origin,
                                              signal="returned"))
            else:
                signals.positives.append(Pair(anchor, positive, source="feedback", origin=origin,
                                              signal="accepted"))
        votes = await session.execute(
            select(Feedback.id, Feedback.vote, lost.text, found.text)
            .join(Match, Feedback.match_id == Match.id)
            .join(lost, Match.lost_id == lost.id).join(found, Match.found_id == found.id)
            .where(Feedback.user_id.is_(None) | Feedback.user_id.not_in(banned))
            .order_by(Feedback.id))
        api = await session.execute(
            select(Feedback.id, Feedback.vote, Feedback.query_text, Item.text)
            .join(Item, Feedback.item_id == Item.id)
            .where(Feedback.match_id.is_(None), Feedback.query_text.is_not(None))
            .order_by(Feedback.id))
        for rows, signal in ((votes, "down"), (api, "api")):
            for feedback_id, vote, anchor, text in rows:
                if vote != "up":  # a 👍 without an accepted claim is a guess: never folded
                    signals.negatives.append(Negative(anchor, text, f"feedback:{feedback_id}",
                                                      signal))
    return signals


def merge(known: list[Pair], current: list[Pair], signals: Signals,
          excluded: set[str]) -> list[Pair]:
    """The feedback file's pairs, untouched, followed by the new ones. `known` (the seed
    pairs) is only read: a pair it already holds is not repeated, and its positives let a
    hard negative fold."""
    def allowed(*texts: str) -> bool:
        return not any(normalize(t) in excluded for t in texts)

    # every new pair passes the loader's own check first: one the loader would reject (a lost
    # and a found report with the same text) is logged with its origin and skipped
    seen = {p.key() for p in known}
    merged = list(current)
    merged += [p for p in valid_pairs(p for p in signals.positives
                                      if allowed(p.anchor, p.positive)) if p.key() not in seen]
    positive_of: dict[str, str] = {}
    verified: set[tuple[str, str]] = set()
    for pair in [*known, *merged]:
        positive_of.setdefault(normalize(pair.anchor), pair.positive)
        verified.add((normalize(pair.anchor), normalize(pair.positive)))
    merged += [p for p in valid_pairs(
        Pair(n.anchor, positive_of[normalize(n.anchor)], n.negative, source="feedback",
             origin=n.origin, signal=n.signal)
        for n in signals.negatives
        if normalize(n.anchor) in positive_of and allowed(n.anchor, n.negative)
        # a found text this owner got back is never also their negative (a reopened claim)
        and (normalize(n.anchor), normalize(n.negative)) not in verified) if p.key() not in seen]
    return merged


async def fold_feedback(sessions: async_sessionmaker, seed_path: Path, feedback_path: Path,
                        eval_dirs: Iterable[Path]) -> int:
    """Fold verified feedback into `feedback_path`; returns how many pairs were added.

    `seed_path` is read, never written; texts of the evaluation sets in `eval_dirs` never enter."""
    signals = await collect_feedback(sessions)
    excluded: set[str] = set()
    for folder in eval_dirs:
        excluded |= eval_texts(Path(folder))
    seed_path = Path(seed_path)
    known = await asyncio.to_thread(load_pairs, seed_path) if seed_path.exists() else []
    before: list[int] = []

    def change(current: list[Pair]) -> list[Pair]:
        before.append(len(current))
        return merge(known, current, signals, excluded)

    after = await asyncio.to_thread(update_pairs, feedback_path, change)
    return len(after) - before[0]


def fold_feedback_sync(database_url: str, seed_path: Path, feedback_path: Path,
                       eval_dirs: Iterable[Path]) -> int:
    from storage.db import make_engine, make_sessionmaker, migrate

    async def run() -> int:
        engine = make_engine(database_url)
        try:
            await migrate(engine)
            return await fold_feedback(make_sessionmaker(engine), seed_path, feedback_path,
                                       list(eval_dirs))
        finally:
            await engine.dispose()

    return asyncio.run(run())

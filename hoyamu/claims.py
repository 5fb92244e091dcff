"""Claims and hand-back: an owner claims a found item, the finder decides, they talk privately,
the finder hands it over and the owner confirms.

    👍 on a match ──start()──> PENDING ──decide()──> ACCEPTED ──hand_back(finder)──> HANDED
       (one claim per owner      │  ^                   │                              │
        and item; a question     │  └─reopen(finder)─┐  └──hand_back(owner)──┐         │
        is answered first)       └──> DECLINED ──────┘                       v         v
                                                             RETURNED <── owner confirms, or
    a report closed or deleted: every live claim on it ──> CANCELLED   HANDBACK_CONFIRM_HOURS pass

Every method checks who is asking: only the lost report's owner can claim through a match, only
the finder can accept, decline or reopen, and only the two parties of an accepted claim can
relay messages, share contact or hand the item back.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hoyamu.feedback import record_vote
from hoyamu.serving import Serving
from hoyamu.settings import Settings
from hoyamu.validation import InvalidInput, clean_optional
from storage.db import retry_conflicts
from storage.models import Claim, ClaimStatus, Item, Match, Status, utcnow

log = logging.getLogger(__name__)


@dataclass
class ClaimView:
    claim: Claim
    found: Item
    lost: Item | None

    @property
    def reports(self) -> list[Item]:
        """The found report and, while it exists, the lost one."""
        return [item for item in (self.found, self.lost) if item is not None]

    @property
    def parties(self) -> tuple[int, int | None]:
        return self.claim.claimant_id, self.claim.finder_id

    def other_party(self, user_id: int) -> int | None:
        owner, finder = self.parties
        return finder if user_id == owner else owner if user_id == finder else None


@dataclass
class ClaimStart:
    """What a 👍 led to: a claim sent to the finder, a question to answer first, or the desk."""

    match: Match
    view: ClaimView | None = None
    question: str | None = None
    desk: bool = False


@dataclass
class HandBack:
    """After "handed over" / "I got it back": the claim, and whether both reports are closed."""

    view: ClaimView
    closed: bool


async def _move(session: AsyncSession, claim: Claim, expected: tuple[ClaimStatus, ...],
                **values: object) -> None:
    """Change a claim only if it is still in one of the `expected` states, in one UPDATE: of two
    taps (or two processes) that read the same state, the second changes nothing and is told
    the button is no longer active."""
    done = await session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.status.in_(expected)).values(**values)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise InvalidInput("stale", "This button is no longer active.")
    await session.refresh(claim)


async def _view(session: AsyncSession, claim: Claim) -> ClaimView:
    found = await session.get(Item, claim.found_id)
    lost = await session.get(Item, claim.lost_id) if claim.lost_id else None
    return ClaimView(claim, found, lost)


async def _close_returned(session: AsyncSession, claim: Claim, now: dt.datetime) -> ClaimView:
    """The item is back with its owner: the claim and both reports close."""
    await _move(session, claim, ClaimStatus.talking(), status=ClaimStatus.RETURNED,
                returned_at=now)
    view = await _view(session, claim)
    for item in view.reports:
        if item.status == Status.OPEN:
            item.status, item.closed_at = Status.RETURNED, now
    return view


async def end_claims(session: AsyncSession, item: Item, status: Status) -> list[ClaimView]:
    """A report was closed, deleted or marked returned by its author: every live claim on it
    ends (a talking claim on a lost report marked returned counts as its hand-back)."""
    claims = list(await session.scalars(select(Claim).where(
        (Claim.found_id == item.id) | (Claim.lost_id == item.id),
        Claim.status.in_(ClaimStatus.live())).order_by(Claim.id)))
    now, ended = utcnow(), []
    for claim in claims:
        if (status == Status.RETURNED and claim.lost_id == item.id
                and claim.status in ClaimStatus.talking()):
            ended.append(await _close_returned(session, claim, now))
            continue
        claim.status, claim.decided_at = ClaimStatus.CANCELLED, claim.decided_at or now
        ended.append(await _view(session, claim))
    return ended


class ClaimService:
    def __init__(self, settings: Settings, sessions: async_sessionmaker, serving: Serving) -> None:
        self.settings = settings
        self.sessions = sessions
        self.serving = serving

    # --- the owner claims ----------------------------------------------------------------------

    async def start(self, match_id: int, user_id: int) -> ClaimStart:
        """👍 on a match, in one transaction: the owner's vote, then their claim, unless the
        finder's question must be answered first or the item is at the desk."""
        return await retry_conflicts(lambda: self._start(match_id, user_id))

    async def _start(self, match_id: int, user_id: int) -> ClaimStart:
        async with self.sessions() as session, session.begin():
            match = await self._owned_match(session, match_id, user_id)
            existing = await self._may_claim(session, match, user_id)
            await record_vote(session, match, user_id, up=True)
            if match.found.user_id is None:
                return ClaimStart(match, desk=True)
            if match.found.verify_question:
                return ClaimStart(match, question=match.found.verify_question)
            view = await self._open(session, match, user_id, None, existing)
        log.info("claim %s on found item %s", view.claim.id, view.claim.found_id)
        return ClaimStart(match, view=view)

    async def create(self, match_id: int, user_id: int, answer: str | None) -> ClaimView:
        """The owner claims the found item of a match, with the answer to the finder's question."""
        view = await retry_conflicts(lambda: self._create(match_id, user_id, answer))
        log.info("claim %s on found item %s", view.claim.id, view.claim.found_id)
        return view

    async def _create(self, match_id: int, user_id: int, answer: str | None) -> ClaimView:
        async with self.sessions() as session, session.begin():
            match = await self._owned_match(session, match_id, user_id)
            existing = await self._may_claim(session, match, user_id)
            return await self._open(session, match, user_id, answer, existing)

    @staticmethod
    async def _owned_match(session: AsyncSession, match_id: int, user_id: int) -> Match:
        """The match, if `user_id` owns its lost report and both reports are still open."""
        match = await session.get(Match, match_id)
        if match is None:
            raise InvalidInput("not_found", "That match no longer exists.")
        if match.lost.user_id != user_id:
            raise InvalidInput("not_yours", "Only the owner of the lost report can do that.")
        if match.found.status != Status.OPEN or match.lost.status != Status.OPEN:
            raise InvalidInput("stale", "That report is already closed.")
        return match

    @staticmethod
    async def _may_claim(session: AsyncSession, match: Match, user_id: int) -> Claim | None:
        """The owner's earlier claim on this item, if it may be renewed (it was cancelled with
        a report); refuses a second live claim and a claim the finder declined."""
        existing = await session.scalar(select(Claim).where(
            Claim.found_id == match.found_id, Claim.claimant_id == user_id))
        if existing is None or existing.status == ClaimStatus.CANCELLED:
            return existing
        if existing.status == ClaimStatus.DECLINED:
            raise InvalidInput("claim_declined", "The finder said this item is not yours; only "
                               "they can reopen your claim.")
        if existing.status == ClaimStatus.RETURNED:
            raise InvalidInput("stale", "That item is already back with you.")
        raise InvalidInput("already_claimed", "You have already claimed this item.")

    async def _open(self, session: AsyncSession, match: Match, user_id: int, answer: str | None,
                    existing: Claim | None) -> ClaimView:
        others = await session.scalar(select(func.count(Claim.id)).where(
            Claim.found_id == match.found_id, Claim.claimant_id != user_id))
        if others >= self.settings.claims_per_item:
            raise InvalidInput("claim_limit", "This item has had too many claims; please "
                               "contact the campus lost-and-found desk.")
        claim = existing or Claim(found_id=match.found_id, claimant_id=user_id)
        claim.lost_id, claim.match_id, claim.finder_id = match.lost_id, match.id, match.found.user_id
        claim.answer, claim.status = clean_optional(answer, 300), ClaimStatus.PENDING
        claim.owner_shares_contact = claim.finder_shares_contact = False
        claim.owner_contact = claim.finder_contact = None
        claim.created_at, claim.decided_at = utcnow(), None
        session.add(claim)
        await session.flush()  # a concurrent 👍 on the same item fails here and is retried
        return await _view(session, claim)

    # --- the finder decides --------------------------------------------------------------------

    async def get(self, claim_id: int, user_id: int) -> ClaimView:
        """A claim seen by one of its two parties; anyone else is refused."""
        async with self.sessions() as session:
            return await _view(session, await self._party(session, claim_id, user_id))

    @staticmethod
    async def _party(session: AsyncSession, claim_id: int, user_id: int) -> Claim:
        claim = await session.get(Claim, claim_id)
        if claim is None:
            raise InvalidInput("not_found", "That claim no longer exists.")
        if user_id not in (claim.claimant_id, claim.finder_id):
            raise InvalidInput("not_yours", "That claim is not yours.")
        return claim

    @staticmethod
    async def _finders(session: AsyncSession, claim_id: int, finder_id: int) -> Claim:
        claim = await session.get(Claim, claim_id)
        if claim is None or claim.finder_id != finder_id:
            raise InvalidInput("not_yours", "Only the finder can decide on this claim.")
        return claim

    async def decide(self, claim_id: int, finder_id: int, accept: bool) -> ClaimView:
        """The finder accepts or declines a pending claim."""
        async with self.sessions() as session, session.begin():
            claim = await self._finders(session, claim_id, finder_id)
            await _move(session, claim, (ClaimStatus.PENDING,), decided_at=utcnow(),
                        status=ClaimStatus.ACCEPTED if accept else ClaimStatus.DECLINED)
            return await _view(session, claim)

    async def reopen(self, claim_id: int, finder_id: int) -> ClaimView:
        """The finder takes back a decline: the claim waits for their decision again."""
        async with self.sessions() as session, session.begin():
            claim = await self._finders(session, claim_id, finder_id)
            view = await _view(session, claim)
            if view.found.status != Status.OPEN or view.lost is None or \
                    view.lost.status != Status.OPEN:
                raise InvalidInput("stale", "That report is already closed.")
            await _move(session, claim, (ClaimStatus.DECLINED,), status=ClaimStatus.PENDING,
                        decided_at=None)
            return view

    # --- owner and finder talk, then the hand-back ----------------------------------------------

    async def active(self, claim_id: int, user_id: int) -> ClaimView:
        """An accepted claim that `user_id` is a party of (for relaying and hand-back)."""
        view = await self.get(claim_id, user_id)
        if view.claim.status not in ClaimStatus.talking():
            raise InvalidInput("stale", "This conversation is closed.")
        return view

    async def conversations(self, user_id: int, limit: int = 3) -> list[ClaimView]:
        """The accepted claims `user_id` is a party of, newest first: where their typed messages
        may be meant to go."""
        async with self.sessions() as session:
            claims = await session.scalars(select(Claim).where(
                Claim.status.in_(ClaimStatus.talking()),
                (Claim.claimant_id == user_id) | (Claim.finder_id == user_id),
            ).order_by(Claim.id.desc()).limit(limit))
            return [await _view(session, claim) for claim in claims]

    async def share_contact(self, claim_id: int, user_id: int,
                            username: str | None) -> tuple[ClaimView, bool]:
        """Record that this party agrees to share contact (their Telegram @username, if they
        have one); True when both have agreed."""
        async with self.sessions() as session, session.begin():
            claim = await self._party(session, claim_id, user_id)
            if claim.status not in ClaimStatus.talking():
                raise InvalidInput("stale", "This conversation is closed.")
            contact = clean_optional(username, 64)
            if user_id == claim.claimant_id:
                claim.owner_shares_contact, claim.owner_contact = True, contact
            else:
                claim.finder_shares_contact, claim.finder_contact = True, contact
            view = await _view(session, claim)
            return view, claim.owner_shares_contact and claim.finder_shares_contact

    async def phone_recipients(self, user_id: int) -> list[int]:
        """Whom `user_id`'s phone number may go to: the other party of each open conversation
        where both agreed to share contact."""
        async with self.sessions() as session:
            claims = await session.scalars(select(Claim).where(
                Claim.status.in_(ClaimStatus.talking()),
                Claim.owner_shares_contact.is_(True), Claim.finder_shares_contact.is_(True),
                (Claim.claimant_id == user_id) | (Claim.finder_id == user_id)))
            return sorted({c.finder_id if c.claimant_id == user_id else c.claimant_id
                           for c in claims} - {None})

    async def hand_back(self, claim_id: int, user_id: int) -> HandBack:
        """The finder says "handed over" (the owner is asked to confirm), or the owner says
        "I got it back" (the claim and both reports close)."""
        async with self.sessions() as session, session.begin():
            claim = await self._party(session, claim_id, user_id)
            if claim.status not in ClaimStatus.talking():
                raise InvalidInput("stale", "This item is already marked returned.")
            now = utcnow()
            if user_id == claim.claimant_id:
                view = await _close_returned(session, claim, now)
            elif claim.status == ClaimStatus.HANDED:
                raise InvalidInput("already_handed", "You already said you handed it over; the "
                                   "owner has been asked to confirm.")
            else:
                await _move(session, claim, (ClaimStatus.ACCEPTED,), status=ClaimStatus.HANDED,
                            handed_at=now, reminded_at=None)
                view = await _view(session, claim)
        closed = view.claim.status == ClaimStatus.RETURNED
        if closed:
            self.serving.forget(view.reports)
        log.info("claim %s: %s", claim_id, view.claim.status)
        return HandBack(view, closed)

    async def not_yet(self, claim_id: int, owner_id: int) -> ClaimView:
        """The owner has not got it back after all: the claim is accepted again."""
        async with self.sessions() as session, session.begin():
            claim = await self._party(session, claim_id, owner_id)
            if claim.claimant_id != owner_id:
                raise InvalidInput("not_yours", "Only the owner can say that.")
            await _move(session, claim, (ClaimStatus.HANDED,), status=ClaimStatus.ACCEPTED,
                        handed_at=None, reminded_at=None)
            return await _view(session, claim)

    async def handbacks_due(self) -> tuple[list[ClaimView], list[ClaimView]]:
        """Hand-backs the owner has not confirmed: (to remind, half-way), (closed as returned,
        HANDBACK_CONFIRM_HOURS after the finder's "handed over")."""
        now = utcnow()
        wait = dt.timedelta(hours=self.settings.handback_confirm_hours)
        remind, closed = [], []
        async with self.sessions() as session, session.begin():
            handed = list(await session.scalars(select(Claim).where(
                Claim.status == ClaimStatus.HANDED, Claim.handed_at <= now - wait / 2)))
            for claim in handed:
                if claim.handed_at <= now - wait:
                    try:
                        closed.append(await _close_returned(session, claim, now))
                    except InvalidInput:  # the owner answered a moment ago
                        continue
                elif claim.reminded_at is None:
                    claim.reminded_at = now
                    remind.append(await _view(session, claim))
        self.serving.forget([item for view in closed for item in view.reports])
        return remind, closed

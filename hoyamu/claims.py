"""Claims and hand-back: an owner claims a found item, the finder decides, they talk privately.

Every method checks who is asking: only the lost report's owner can claim through a match, only
the finder can accept or decline, and only the two parties of an accepted claim can relay
messages, share contact or mark the item returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from hoyamu.serving import Serving
from hoyamu.settings import Settings
from hoyamu.validation import InvalidInput, clean_optional
from storage.models import Claim, ClaimStatus, Item, Match, Status, utcnow

log = logging.getLogger(__name__)


@dataclass
class ClaimView:
    claim: Claim
    found: Item
    lost: Item | None

    @property
    def parties(self) -> tuple[int, int | None]:
        return self.claim.claimant_id, self.claim.finder_id

    def other_party(self, user_id: int) -> int | None:
        owner, finder = self.parties
        return finder if user_id == owner else owner if user_id == finder else None


class ClaimService:
    def __init__(self, settings: Settings, sessions: async_sessionmaker, serving: Serving) -> None:
        self.settings = settings
        self.sessions = sessions
        self.serving = serving

    async def _view(self, session, claim: Claim) -> ClaimView:
        found = await session.get(Item, claim.found_id)
        lost = await session.get(Item, claim.lost_id) if claim.lost_id else None
        return ClaimView(claim, found, lost)

    async def match_for_owner(self, match_id: int, user_id: int) -> Match:
        """The match, if `user_id` owns its lost report and both reports are still open."""
        async with self.sessions() as session:
            match = await session.get(Match, match_id)
            if match is None:
                raise InvalidInput("not_found", "That match no longer exists.")
            if match.lost.user_id != user_id:
                raise InvalidInput("not_yours", "Only the owner of the lost report can do that.")
            if match.found.status != Status.OPEN or match.lost.status != Status.OPEN:
                raise InvalidInput("stale", "That report is already closed.")
            return match

    async def create(self, match_id: int, user_id: int, answer: str | None) -> ClaimView:
        """The owner claims the found item of a match (with the answer to the finder's question)."""
        match = await self.match_for_owner(match_id, user_id)
        async with self.sessions() as session, session.begin():
            existing = await session.scalar(select(Claim).where(
                Claim.found_id == match.found_id, Claim.claimant_id == user_id,
                Claim.status.in_([ClaimStatus.PENDING, ClaimStatus.ACCEPTED])))
            if existing is not None:
                raise InvalidInput("already_claimed", "You have already claimed this item.")
            count = await session.scalar(select(func.count(Claim.id)).where(
                Claim.found_id == match.found_id))
            if count >= self.settings.claims_per_item:
                raise InvalidInput("claim_limit", "This item has had too many claims; please "
                                   "contact the campus lost-and-found desk.")
            claim = Claim(found_id=match.found_id, lost_id=match.lost_id, match_id=match.id,
                          claimant_id=user_id, finder_id=match.found.user_id,
                          answer=clean_optional(answer, 300), status=ClaimStatus.PENDING)
            session.add(claim)
            await session.flush()
            view = await self._view(session, claim)
        log.info("claim %s on found item %s", claim.id, claim.found_id)
        return view

    async def get(self, claim_id: int, user_id: int) -> ClaimView:
        """A claim seen by one of its two parties; anyone else is refused."""
        async with self.sessions() as session:
            claim = await session.get(Claim, claim_id)
            if claim is None:
                raise InvalidInput("not_found", "That claim no longer exists.")
            if user_id not in (claim.claimant_id, claim.finder_id):
                raise InvalidInput("not_yours", "That claim is not yours.")
            return await self._view(session, claim)

    async def decide(self, claim_id: int, finder_id: int, accept: bool) -> ClaimView:
        """The finder accepts or declines a pending claim."""
        async with self.sessions() as session, session.begin():
            claim = await session.get(Claim, claim_id)
            if claim is None or claim.finder_id != finder_id:
                raise InvalidInput("not_yours", "Only the finder can decide on this claim.")
            if claim.status != ClaimStatus.PENDING:
                raise InvalidInput("stale", "This claim has already been decided.")
            claim.status = ClaimStatus.ACCEPTED if accept else ClaimStatus.DECLINED
            claim.decided_at = utcnow()
            return await self._view(session, claim)

    async def active(self, claim_id: int, user_id: int) -> ClaimView:
        """An accepted claim that `user_id` is a party of (for relaying and hand-back)."""
        view = await self.get(claim_id, user_id)
        if view.claim.status != ClaimStatus.ACCEPTED:
            raise InvalidInput("stale", "This conversation is closed.")
        return view

    async def share_contact(self, claim_id: int, user_id: int) -> tuple[ClaimView, bool]:
        """Record that this party agrees to share contact; True when both have agreed."""
        async with self.sessions() as session, session.begin():
            claim = await session.get(Claim, claim_id)
            if claim is None or user_id not in (claim.claimant_id, claim.finder_id):
                raise InvalidInput("not_yours", "That claim is not yours.")
            if claim.status != ClaimStatus.ACCEPTED:
                raise InvalidInput("stale", "This conversation is closed.")
            if user_id == claim.claimant_id:
                claim.owner_shares_contact = True
            else:
                claim.finder_shares_contact = True
            view = await self._view(session, claim)
            return view, claim.owner_shares_contact and claim.finder_shares_contact

    async def mark_returned(self, claim_id: int, user_id: int) -> ClaimView:
        """Either party marks the item returned: the claim and both reports close."""
        async with self.sessions() as session, session.begin():
            claim = await session.get(Claim, claim_id)
            if claim is None or user_id not in (claim.claimant_id, claim.finder_id):
                raise InvalidInput("not_yours", "That claim is not yours.")
            if claim.status != ClaimStatus.ACCEPTED:
                raise InvalidInput("stale", "This item is already marked returned.")
            claim.status = ClaimStatus.RETURNED
            claim.returned_at = utcnow()
            view = await self._view(session, claim)
            for item in (view.found, view.lost):
                if item is not None and item.status == Status.OPEN:
                    item.status, item.closed_at = Status.RETURNED, utcnow()
        self.serving.forget([item for item in (view.found, view.lost) if item is not None])
        log.info("claim %s: item returned", claim_id)
        return view

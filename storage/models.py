"""Database tables. Portable SQL only: the same models run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Kind(StrEnum):
    LOST = "lost"
    FOUND = "found"

    @property
    def other(self) -> Kind:
        return Kind.FOUND if self is Kind.LOST else Kind.LOST


class Status(StrEnum):
    OPEN = "open"
    RETURNED = "returned"
    CLOSED = "closed"
    EXPIRED = "expired"
    DELETED = "deleted"


class ClaimStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    HANDED = "handed"  # the finder says they handed it over; the owner has not confirmed yet
    DECLINED = "declined"
    RETURNED = "returned"  # the owner confirmed (or stayed silent past HANDBACK_CONFIRM_HOURS)
    CANCELLED = "cancelled"  # one of the two reports was closed or deleted

    @classmethod
    def verified(cls) -> tuple[ClaimStatus, ...]:
        """Claims whose pair is a verified match: the finder accepted the owner's proof, or
        the item went back. Only these make training positives (training/fold.py)."""
        return cls.ACCEPTED, cls.HANDED, cls.RETURNED

    @classmethod
    def live(cls) -> tuple[ClaimStatus, ...]:
        """Claims still under way: waiting for the finder, or owner and finder talking."""
        return cls.PENDING, cls.ACCEPTED, cls.HANDED

    @classmethod
    def talking(cls) -> tuple[ClaimStatus, ...]:
        """Claims whose two parties may message each other through the bot."""
        return cls.ACCEPTED, cls.HANDED


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    is_banned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Item(Base):
    """One lost or found report."""

    __tablename__ = "items"
    __table_args__ = (Index("ix_items_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    place: Mapped[str | None] = mapped_column(String(200))
    happened_on: Mapped[dt.date | None] = mapped_column(Date)
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(16))
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN)
    verify_question: Mapped[str | None] = mapped_column(Text)
    verify_answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Embedding(Base):
    """An item's vector as made by one model version: rebuilding an index needs no re-encoding."""

    __tablename__ = "embeddings"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Match(Base):
    """A lost/found pair shown to someone, with the score parts and the model that produced it."""

    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("lost_id", "found_id", "model_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lost_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    found_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    cosine: Mapped[float] = mapped_column(Float)
    semantic: Mapped[float] = mapped_column(Float)
    keyword: Mapped[float] = mapped_column(Float)
    category: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    lost: Mapped[Item] = relationship(foreign_keys=[lost_id], lazy="joined")
    found: Mapped[Item] = relationship(foreign_keys=[found_id], lazy="joined")


class Feedback(Base):
    """A 👍/👎 on a match (one per user and match; a second press changes it), or an API verdict."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("match_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    query_text: Mapped[str | None] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    vote: Mapped[str] = mapped_column(String(4))
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Claim(Base):
    """An owner's claim on a found item (one per owner and item); accepted claims open the
    private relay. After a decline only the finder can reopen it."""

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("found_id", "claimant_id",
                                       name="uq_claims_found_id_claimant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    found_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    lost_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    claimant_id: Mapped[int] = mapped_column(BigInteger, index=True)
    finder_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ClaimStatus.PENDING)
    owner_shares_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    finder_shares_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    # the @username each side agreed to share (None: no username; the phone button is offered)
    owner_contact: Mapped[str | None] = mapped_column(String(64))
    finder_contact: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    handed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

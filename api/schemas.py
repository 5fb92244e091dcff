"""Request and response bodies of the HTTP API, and the conversions from the services' objects.

What leaves the API is decided here: a report's text only where `hoyamu/items.py:shareable_text`
allows it (never a lost report's, never a sensitive item's), never a verification question or
answer, a place, a photo or a student's id (no field holds them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from hoyamu.items import shareable_text
from hoyamu.reports import MatchView
from storage.models import Item, Kind

KindName = Kind  # "lost" | "found", named once (storage/models.py)


class IndexRequest(BaseModel):
    id: str | None = Field(None, min_length=1, max_length=128,
                           description="Your id for the item; the item's number when omitted.")
    description: str = Field(min_length=1, description="What the item looks like, where it was.")
    category: str | None = Field(None, description="A category name; detected when omitted.")
    kind: KindName = Field(Kind.FOUND, description="Whether the item was found or lost.")


class SearchRequest(BaseModel):
    text: str = Field(min_length=1, description="Description to search with.")
    limit: int = Field(3, ge=1, le=50, description="Most results to return.")
    kind: KindName = Field(Kind.LOST, description="What the text describes, as in `hoyamu search "
                           "--kind`: 'lost' (default) searches found items, 'found' searches "
                           "lost reports.")


class FeedbackRequest(BaseModel):
    query: str = Field(min_length=1, description="The text that was searched.")
    item_id: str = Field(min_length=1, max_length=128, description="The item shown for it.")
    was_correct: bool = Field(description="Whether the item was the one looked for.")


class ScorePartsOut(BaseModel):
    semantic: float
    keyword: float
    category: float


PRIVATE = ("null for lost reports and sensitive items (ID cards and the like): their text may "
           "hold names and ID numbers")


class MatchOut(BaseModel):
    id: str
    kind: KindName
    description: str | None = Field(description=PRIVATE)
    category: str
    score: float = Field(description="0-100")
    tier: str | None = Field(description="Excellent, Good, Possible, or null below 60")
    cosine: float
    parts: ScorePartsOut


class IndexResponse(BaseModel):
    id: str
    kind: KindName
    category: str
    status: str
    matches: list[MatchOut] = Field(description="Lost report: best found items. Found report: "
                                    "lost reports it may answer.")


class SearchResponse(BaseModel):
    query: str
    results: list[MatchOut]


class FeedbackResponse(BaseModel):
    stored: bool


class ItemOut(BaseModel):
    id: str
    kind: KindName
    description: str | None = Field(description=PRIVATE)
    category: str
    status: str
    created_at: datetime


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    model: str
    index_size: int
    database: bool


class ErrorOut(BaseModel):
    detail: str
    code: str | None = None


class ValidationErrorOut(ErrorOut):
    errors: list[dict[str, Any]] = Field(default_factory=list)


def external_id(item: Item) -> str:
    return item.external_id or str(item.id)


def match_out(view: MatchView) -> MatchOut:
    item, parts = view.item, view.parts
    return MatchOut(id=external_id(item), kind=item.kind, description=shareable_text(item),
                    category=item.category, score=parts.score, tier=parts.tier,
                    cosine=parts.cosine,
                    parts=ScorePartsOut(semantic=parts.semantic, keyword=parts.keyword,
                                        category=parts.category))


def item_out(item: Item) -> ItemOut:
    return ItemOut(id=external_id(item), kind=item.kind, description=shareable_text(item),
                   category=item.category, status=item.status, created_at=item.created_at)

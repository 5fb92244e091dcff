"""POST /index, GET /items/{id}, DELETE /items/{id}."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import READ, WRITE, Services
from api.errors import NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from api.schemas import (
    ErrorOut,
    IndexRequest,
    IndexResponse,
    ItemOut,
    external_id,
    item_out,
    match_out,
)
from hoyamu.reports import ReportInput
from hoyamu.validation import InvalidInput
from storage.models import Status

router = APIRouter()
ItemRef = Annotated[str, Path(min_length=1, max_length=128,
                              description="External id given at /index, or the numeric item id.")]


@router.post("/index", response_model=IndexResponse, dependencies=WRITE, tags=["write"],
             responses={**WRITE_ERRORS, 409: {"model": ErrorOut, "description": "Id exists"}})
async def index(body: IndexRequest, core: Services) -> IndexResponse:
    """Store and index a report; returns it with its matches. Without an id, one is made,
    so that a numeric database id can never be confused with a caller's own id."""
    reference = body.id or f"h-{uuid.uuid4().hex[:12]}"
    result = await core.reports.report(ReportInput(kind=body.kind, text=body.description,
                                                   category=body.category, external_id=reference))
    item = result.item
    return IndexResponse(id=external_id(item), kind=item.kind, category=item.category,
                         status=item.status, matches=[match_out(v) for v in result.matches])


@router.get("/items/{item_id}", response_model=ItemOut, dependencies=READ, tags=["read"],
            responses={**READ_ERRORS, **NOT_FOUND})
async def get_item(item_id: ItemRef, core: Services) -> ItemOut:
    item = await core.items.get_item_by_ref(item_id)
    if item is None or item.status == Status.DELETED:
        raise InvalidInput("not_found", f"No item {item_id!r}.")
    return item_out(item)


@router.delete("/items/{item_id}", response_model=ItemOut, dependencies=WRITE, tags=["write"],
               responses={**WRITE_ERRORS, **NOT_FOUND,
                          409: {"model": ErrorOut, "description": "Already closed"}})
async def close_item(item_id: ItemRef, core: Services) -> ItemOut:
    """Close an item: it is no longer matched or returned by searches."""
    item = await core.items.get_item_by_ref(item_id)
    if item is None:
        raise InvalidInput("not_found", f"No item {item_id!r}.")
    return item_out((await core.items.set_status(item.id, Status.CLOSED)).item)

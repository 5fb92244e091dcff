"""POST /search."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import READ, Services
from api.errors import BODY_ERRORS, READ_ERRORS
from api.schemas import SearchRequest, SearchResponse, match_out

router = APIRouter()


@router.post("/search", response_model=SearchResponse, dependencies=READ, tags=["read"],
             responses={**BODY_ERRORS, **READ_ERRORS})
async def search(body: SearchRequest, core: Services) -> SearchResponse:
    """Open items of the other kind that best match `text` (nothing is stored); `kind` is what
    the text describes, as in `hoyamu search --kind`."""
    views = await core.reports.search(body.text, kind=body.kind, limit=body.limit)
    return SearchResponse(query=body.text, results=[match_out(v) for v in views])

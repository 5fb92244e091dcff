"""POST /feedback."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import WRITE, Services
from api.errors import NOT_FOUND, WRITE_ERRORS
from api.schemas import FeedbackRequest, FeedbackResponse

router = APIRouter()


@router.post("/feedback", response_model=FeedbackResponse, dependencies=WRITE, tags=["write"],
             responses={**WRITE_ERRORS, **NOT_FOUND})
async def feedback(body: FeedbackRequest, core: Services) -> FeedbackResponse:
    """Whether an item shown for a query was the right one."""
    await core.feedback.api_feedback(body.query, body.item_id, body.was_correct)
    return FeedbackResponse(stored=True)

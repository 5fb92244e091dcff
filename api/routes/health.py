"""GET /health: the one route without a key (load balancers and monitors call it)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from api.schemas import HealthOut
from hoyamu.core import Core
from storage.db import ping

router = APIRouter()


@router.get("/health", response_model=HealthOut, tags=["health"])
async def health(request: Request) -> HealthOut:
    core: Core | None = request.app.state.core
    if core is None:
        raise HTTPException(503, "The service is starting; try again shortly.")
    runtime = core.serving.runtime
    database = await ping(core.engine)
    return HealthOut(status="ok" if database else "degraded", model=runtime.version,
                     index_size=runtime.index.size(), database=database)

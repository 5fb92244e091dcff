"""The HTTP API: FastAPI's conventional layout over the services in `hoyamu/`.

`api/schemas.py` (bodies), `api/deps.py` (the core, API keys and their scopes), `api/errors.py`,
`api/middleware.py` (body size), `api/routes/` (one module per resource, thin calls into the
services). Every route but /health needs an X-API-Key from API_KEYS: KEY:read may search and
read items, KEY:write may also index, send feedback and close items.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from api import errors
from api.middleware import BodyLimit
from api.routes import feedback, health, items, search
from hoyamu.core import Core, start_core
from hoyamu.logging_setup import register_secret, setup_logging
from hoyamu.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, core: Core | None = None) -> FastAPI:
    """The API over `core`, or over a core started (and closed) by the app's lifespan."""
    register_secret(*settings.api_key_scopes)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if core is not None:  # the caller owns it
            yield
            return
        started = await start_core(settings)
        app.state.core = started
        try:
            yield
        finally:
            app.state.core = None
            await started.close()

    app = FastAPI(title="Hoyamu", version="0.1.0", lifespan=lifespan,
                  description="Multilingual lost-and-found matching for Sri Lankan universities. "
                  "Every route but /health needs the X-API-Key header (a read or a write key).")
    app.state.settings = settings
    app.state.core = core
    app.add_middleware(BodyLimit, limit=settings.api_max_body_bytes)
    errors.install(app)
    for module in (items, search, feedback, health):
        app.include_router(module.router)
    return app


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run the API with uvicorn (API_HOST:API_PORT unless given; logs go through the redacting
    handler)."""
    if not logging.getLogger().handlers:
        setup_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=host or settings.api_host,
                port=port or settings.api_port, log_level=settings.log_level.lower(),
                log_config=None)

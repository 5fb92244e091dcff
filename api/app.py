"""The HTTP API: thin FastAPI routes over the service layer (index, search, feedback, items).

Writes (POST /index, POST /feedback, DELETE /items/{id}) need an `X-API-Key` header matching one of
API_KEYS; reads are open. Every rule about reports, matching and scores lives in
the services in `hoyamu/`; this module only translates HTTP to service calls and back.

`kind` in POST /search names the kind of items to *return*: the default "found" searches found
items with a lost description, as the old system's /search did.
"""

import hmac
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Path, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hoyamu.core import Core, start_core
from hoyamu.logging_setup import register_secret, setup_logging
from hoyamu.reports import MatchView, ReportInput
from hoyamu.settings import Settings
from hoyamu.validation import InvalidInput
from storage.db import ping
from storage.models import Item, Kind, Status

log = logging.getLogger(__name__)

KindName = Literal["found", "lost"]
ItemRef = Annotated[str, Path(min_length=1, max_length=128,
                              description="External id given at /index, or the numeric item id.")]

# InvalidInput codes that are not plain "bad input" (422)
STATUS_OF_CODE = {"not_found": 404, "duplicate_id": 409, "not_open": 409, "not_yours": 403,
                  "rate_limited": 429}
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 404: "not_found",
              405: "method_not_allowed", 503: "unavailable"}

# --- request and response models -----------------------------------------------------------


class IndexRequest(BaseModel):
    id: str | None = Field(None, min_length=1, max_length=128,
                           description="Your id for the item; the item's number when omitted.")
    description: str = Field(min_length=1, description="What the item looks like, where it was.")
    category: str | None = Field(None, description="A category name; detected when omitted.")
    kind: KindName = Field("found", description="Whether the item was found or lost.")


class SearchRequest(BaseModel):
    text: str = Field(min_length=1, description="Description to search with.")
    limit: int = Field(3, ge=1, le=50, description="Most results to return.")
    kind: KindName = Field("found", description="Kind of items to return: 'found' (default) "
                           "searches found items with a lost description.")


class FeedbackRequest(BaseModel):
    query: str = Field(min_length=1, description="The text that was searched.")
    item_id: str = Field(min_length=1, max_length=128, description="The item shown for it.")
    was_correct: bool = Field(description="Whether the item was the one looked for.")


class ScorePartsOut(BaseModel):
    semantic: float
    keyword: float
    category: float


class MatchOut(BaseModel):
    id: str
    kind: KindName
    description: str
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
    description: str
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


def _external_id(item: Item) -> str:
    return item.external_id or str(item.id)


def _match_out(view: MatchView) -> MatchOut:
    item, parts = view.item, view.parts
    return MatchOut(id=_external_id(item), kind=item.kind, description=item.text,
                    category=item.category, score=parts.score, tier=parts.tier,
                    cosine=parts.cosine,
                    parts=ScorePartsOut(semantic=parts.semantic, keyword=parts.keyword,
                                        category=parts.category))


def _item_out(item: Item) -> ItemOut:
    return ItemOut(id=_external_id(item), kind=item.kind, description=item.text,
                   category=item.category, status=item.status, created_at=item.created_at)


# --- errors, auth and body size --------------------------------------------------------------


def _error(status: int, detail: str, code: str | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, **extra}, status_code=status)


async def _invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return _error(STATUS_OF_CODE.get(exc.code, 422), exc.message, exc.code)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """One readable sentence plus the locations; the rejected input is never echoed back."""
    assert isinstance(exc, RequestValidationError)
    errors, sentences = [], []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        msg, kind = str(error.get("msg", "")), str(error.get("type", ""))
        errors.append({"loc": loc, "msg": msg, "type": kind})
        if kind == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            sentences.append(f"The body is not valid JSON ({reason}).")
        else:
            field = ".".join(loc[1:] if len(loc) > 1 else loc)
            sentences.append(f"{field}: {msg}" if field else msg)
    return _error(422, "; ".join(sentences) or "Invalid request.", "invalid_request",
                  errors=errors)


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # Two concurrent reports with the same id: the second one loses the race at the database.
    log.warning("integrity error: %s", type(exc).__name__)
    return _error(409, "The request conflicts with a stored item (is the id already used?).",
                  "conflict")


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = _error(exc.status_code, str(exc.detail), HTTP_CODES.get(exc.status_code))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _server_error(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled %s", type(exc).__name__, exc_info=exc)
    return _error(500, "Internal server error.", "internal")


api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                              description="One of the server's API_KEYS; needed for writes.")


def require_api_key(request: Request,
                    key: Annotated[str | None, Security(api_key_header)] = None) -> None:
    """401 unless the X-API-Key header is one of settings.api_keys (constant-time compare)."""
    keys: list[str] = request.app.state.settings.api_keys
    if not keys:
        raise HTTPException(401, "Writes are disabled: set API_KEYS on the server.")
    if not key:
        raise HTTPException(401, "Missing X-API-Key header.")
    given = key.encode()
    matched = False
    for allowed in keys:
        matched |= hmac.compare_digest(given, allowed.encode())
    if not matched:
        raise HTTPException(401, "Invalid API key.")


def get_core(request: Request) -> Core:
    core: Core | None = getattr(request.app.state, "core", None)
    if core is None:
        raise HTTPException(503, "The service is starting; try again shortly.")
    return core


Services = Annotated[Core, Depends(get_core)]
WRITE = [Depends(require_api_key)]


class BodyLimit:
    """413 for request bodies over `limit` bytes, before anything parses them.

    A declared Content-Length is checked up front; the body itself (also chunked bodies) is read
    here, counted, and handed on only when it fits. Bodies are small, so buffering is cheap."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = [v for k, v in scope["headers"] if k.lower() == b"content-length"]
        if declared:
            try:
                length = int(declared[0])
            except ValueError:
                await _error(400, "Invalid Content-Length header.", "bad_request")(
                    scope, receive, send)
                return
            if length > self.limit:
                await self._too_large(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(413, f"The request body is larger than {self.limit} bytes.", "too_large")
        response.headers["connection"] = "close"
        await response(scope, receive, send)


# --- the application -----------------------------------------------------------------------

ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ValidationErrorOut, "description": "Invalid input"},
}
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"model": ErrorOut, "description": "Unreadable body (e.g. not UTF-8)"},
    413: {"model": ErrorOut, "description": "Request body too large"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **BODY_ERRORS,
    401: {"model": ErrorOut, "description": "Missing or wrong X-API-Key"},
}


def create_app(settings: Settings, core: Core | None = None) -> FastAPI:
    """The API over `core`, or over a core started (and closed) by the app's lifespan."""
    register_secret(*settings.api_keys)

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
                  "Writes need the X-API-Key header.")
    app.state.settings = settings
    app.state.core = core
    app.add_middleware(BodyLimit, limit=settings.api_max_body_bytes)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(Exception, _server_error)

    @app.post("/index", response_model=IndexResponse, dependencies=WRITE, tags=["write"],
              responses={**WRITE_ERRORS, 409: {"model": ErrorOut, "description": "Id exists"}})
    async def index(body: IndexRequest, core: Services) -> IndexResponse:
        """Store and index a report; returns it with its matches. Without an id, one is made,
        so that a numeric database id can never be confused with a caller's own id."""
        external_id = body.id or f"h-{uuid.uuid4().hex[:12]}"
        result = await core.reports.report(ReportInput(kind=body.kind, text=body.description,
                                                  category=body.category, external_id=external_id))
        item = result.item
        return IndexResponse(id=_external_id(item), kind=item.kind, category=item.category,
                             status=item.status, matches=[_match_out(v) for v in result.matches])

    @app.post("/search", response_model=SearchResponse, tags=["read"],
              responses=BODY_ERRORS)
    async def search(body: SearchRequest, core: Services) -> SearchResponse:
        """Open items of `kind` that best match `text` (nothing is stored)."""
        described = Kind(body.kind).other.value
        views = await core.reports.search(body.text, kind=described, limit=body.limit)
        return SearchResponse(query=body.text, results=[_match_out(v) for v in views])

    @app.post("/feedback", response_model=FeedbackResponse, dependencies=WRITE, tags=["write"],
              responses={**WRITE_ERRORS, 404: {"model": ErrorOut, "description": "No such item"}})
    async def feedback(body: FeedbackRequest, core: Services) -> FeedbackResponse:
        """Whether an item shown for a query was the right one."""
        await core.feedback.api_feedback(body.query, body.item_id, body.was_correct)
        return FeedbackResponse(stored=True)

    @app.get("/items/{item_id}", response_model=ItemOut, tags=["read"],
             responses={**ERRORS, 404: {"model": ErrorOut, "description": "No such item"}})
    async def get_item(item_id: ItemRef, core: Services) -> ItemOut:
        item = await core.items.get_item_by_ref(item_id)
        if item is None or item.status == Status.DELETED:
            raise InvalidInput("not_found", f"No item {item_id!r}.")
        return _item_out(item)

    @app.delete("/items/{item_id}", response_model=ItemOut, dependencies=WRITE, tags=["write"],
                responses={**WRITE_ERRORS, 404: {"model": ErrorOut, "description": "No such item"},
                           409: {"model": ErrorOut, "description": "Already closed"}})
    async def close_item(item_id: ItemRef, core: Services) -> ItemOut:
        """Close an item: it is no longer matched or returned by searches."""
        item = await core.items.get_item_by_ref(item_id)
        if item is None:
            raise InvalidInput("not_found", f"No item {item_id!r}.")
        return _item_out(await core.items.set_status(item.id, Status.CLOSED))

    @app.get("/health", response_model=HealthOut, tags=["read"])
    async def health(request: Request) -> HealthOut:
        core_: Core | None = request.app.state.core
        if core_ is None:
            raise HTTPException(503, "The service is starting; try again shortly.")
        runtime = core_.serving.runtime
        database = await ping(core_.engine)
        return HealthOut(status="ok" if database else "degraded", model=runtime.version,
                         index_size=runtime.index.size(), database=database)

    return app


def serve(settings: Settings) -> None:
    """Run the API with uvicorn on API_HOST:API_PORT (logs go through the redacting handler)."""
    if not logging.getLogger().handlers:
        setup_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port,
                log_level=settings.log_level.lower(), log_config=None)

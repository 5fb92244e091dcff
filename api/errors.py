"""Every error the API returns is `{"detail": ..., "code": ...}`; a traceback never leaves it."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import ErrorOut, ValidationErrorOut
from hoyamu.validation import InvalidInput

log = logging.getLogger(__name__)

# InvalidInput codes that are not plain "bad input" (422)
STATUS_OF_CODE = {"not_found": 404, "duplicate_id": 409, "not_open": 409, "not_yours": 403,
                  "rate_limited": 429}
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 503: "unavailable"}


def error_response(status: int, detail: str, code: str | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, **extra}, status_code=status)


async def _invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return error_response(STATUS_OF_CODE.get(exc.code, 422), exc.message, exc.code)


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
    return error_response(422, "; ".join(sentences) or "Invalid request.", "invalid_request",
                  errors=errors)


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # Two concurrent reports with the same id: the second one loses the race at the database.
    log.warning("integrity error: %s", type(exc).__name__)
    return error_response(409, "The request conflicts with a stored item (is the id already used?).",
                  "conflict")


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = error_response(exc.status_code, str(exc.detail), HTTP_CODES.get(exc.status_code))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _server_error(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled %s", type(exc).__name__, exc_info=exc)
    return error_response(500, "Internal server error.", "internal")


def install(app: FastAPI) -> None:
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(Exception, _server_error)


# the error responses each route declares in the OpenAPI schema
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ValidationErrorOut, "description": "Invalid input"},
}
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    400: {"model": ErrorOut, "description": "Unreadable body (e.g. not UTF-8)"},
    413: {"model": ErrorOut, "description": "Request body too large"},
}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong X-API-Key"},
    403: {"model": ErrorOut, "description": "The key may only read"},
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, **AUTH_ERRORS}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {**BODY_ERRORS, **AUTH_ERRORS}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such item"}}

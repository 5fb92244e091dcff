"""Dependencies of the routes: the core (the services), and the API key with its scope.

Every route but /health needs an `X-API-Key` header naming one of API_KEYS. A "read" key may
search and look items up; a "write" key may also index, send feedback and close items.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from hoyamu.core import Core

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                              description="One of the server's API_KEYS (KEY:read or KEY:write).")


def get_core(request: Request) -> Core:
    core: Core | None = getattr(request.app.state, "core", None)
    if core is None:
        raise HTTPException(503, "The service is starting; try again shortly.")
    return core


def scope_of(request: Request, key: str | None) -> str:
    """The scope of the X-API-Key header's key (constant-time compare); 401 otherwise."""
    scopes: dict[str, str] = request.app.state.settings.api_key_scopes
    if not scopes:
        raise HTTPException(401, "The API is closed: set API_KEYS on the server.")
    if not key:
        raise HTTPException(401, "Missing X-API-Key header.")
    given, found = key.encode(), None
    for allowed, scope in scopes.items():
        if hmac.compare_digest(given, allowed.encode()):
            found = scope
    if found is None:
        raise HTTPException(401, "Invalid API key.")
    return found


def require_read(request: Request,
                 key: Annotated[str | None, Security(api_key_header)] = None) -> None:
    scope_of(request, key)  # every scope may read


def require_write(request: Request,
                  key: Annotated[str | None, Security(api_key_header)] = None) -> None:
    if scope_of(request, key) != "write":
        raise HTTPException(403, "This API key may only read.")


Services = Annotated[Core, Depends(get_core)]
READ = [Depends(require_read)]
WRITE = [Depends(require_write)]

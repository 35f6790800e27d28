"""The FastAPI dependency in front of every protected route: rate limits, key, scope, origin.

With no keys configured the service runs in local open mode (only allowed on loopback, see
``service.security.binding``): nothing is checked and nothing is limited, because the only
client is this machine. With keys, in this order: the client address's bucket (so guessing
keys is throttled too), a known key (401), its scope and origin (403), the key's bucket.
"""

from __future__ import annotations

import math

from fastapi import Depends, HTTPException, Request
from fastapi.params import Depends as DependsParam
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.security.api_keys import Scope
from service.security.rate_limit import RateLimiter

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="The same key, for clients that cannot set Authorization.")
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _limit(limiter: RateLimiter, identity: str, who: str) -> None:
    wait_s = limiter.take(identity)
    if wait_s:
        retry = max(1, math.ceil(wait_s))
        raise HTTPException(status_code=429, headers={"Retry-After": str(retry)},
                            detail=f"rate limit of {limiter.per_minute:g} requests per minute "
                                   f"per {who} exceeded; retry in {retry} s")


def require_scope(scope: Scope) -> DependsParam:
    """``dependencies=[require_scope("query")]`` on a router or route."""

    async def guard(request: Request,
                    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
                    header_key: str | None = Depends(api_key_header)) -> None:
        components = request.app.state.components
        store, limiter = components.key_store, components.rate_limiter
        if not store.configured:
            return
        _limit(limiter, f"ip:{request.client.host if request.client else 'unknown'}", "client address")
        presented = credentials.credentials if credentials else header_key
        if not presented:
            raise HTTPException(status_code=401, headers=CHALLENGE,
                                detail=f"an API key with the '{scope}' scope is required: send "
                                       "`Authorization: Bearer <key>` or `X-API-Key: <key>`")
        key = store.find(presented)
        if key is None:
            raise HTTPException(status_code=401, headers=CHALLENGE,
                                detail=f"unknown API key; this route needs a key with the '{scope}' scope")
        if scope not in key.scopes:
            raise HTTPException(status_code=403,
                                detail=f"this key lacks the '{scope}' scope that this route needs "
                                       f"(it has: {', '.join(sorted(key.scopes))})")
        origin = request.headers.get("origin")
        if not key.allows_origin(origin):
            raise HTTPException(status_code=403,
                                detail=f"this key may not be used from pages on {origin}")
        _limit(limiter, f"key:{key.id}", "key")
        request.state.api_key = key  # the collections it may use are checked by the route

    return Depends(guard)

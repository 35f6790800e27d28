"""Per request: an id (the caller's ``X-Request-ID`` when it is sane, else a new one) in the
logging context and the response headers, then one access log line and the request metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.observability.logs import REQUEST_ID
from service.observability.metrics import Metrics

log = logging.getLogger("newsqa.http")
# A caller's id is echoed into logs and headers, so only a short, plain token is accepted.
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id(scope: Scope) -> str:
    given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
    return given if ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """Set by the router once a route matched; an unmatched path must not become a label."""
    return getattr(scope.get("route"), "path", None) or "unmatched"


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        token = REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            # Set by the route once the collection exists and the key may read it.
            collection = str(scope.get("state", {}).get("collection", ""))
            self.metrics.observe_request(scope["method"], route, status, seconds, collection)
            log.info("%s %s %d", scope["method"], route, status,
                     extra={"method": scope["method"], "route": route, "status": status, "collection": collection,
                            "duration_ms": round(seconds * 1000, 1)})
            REQUEST_ID.reset(token)

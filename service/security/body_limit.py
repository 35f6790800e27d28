"""A cap on request bodies, enforced before anything parses them.

A declared ``Content-Length`` over the cap is answered at once, without reading the body;
bodies without one (chunked uploads) are counted as they arrive and cut off at the cap.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.loaders.files import format_size


class BodyTooLarge(HTTPException):
    """Raised from ``receive``; FastAPI passes HTTP exceptions raised while reading a body on
    to its handler, which answers 413 with this detail."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body is over the {format_size(limit)} limit")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            detail = f"request body is {format_size(int(declared))}; the limit is {format_size(self.max_bytes)}"
            await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:
            # Read by code that does not turn HTTP exceptions into responses.
            if started:
                raise
            await JSONResponse({"detail": exc.detail}, status_code=413)(scope, receive, send)

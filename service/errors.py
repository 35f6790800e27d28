"""Failures of what the service depends on (vector store, catalog, LLM server) become a 503
with a message; request validation errors a 422 that always serialises; anything else a 500
without internals. Never a stack trace to the client, and never request text in the log of
an unexpected error."""

from __future__ import annotations

import json
import logging
import sqlite3
import traceback
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ingest.store.collection_registry import (CollectionExists, CollectionNameError, DefaultCollectionError,
                                              UnknownCollection)

log = logging.getLogger("newsqa.errors")


class DependencyUnavailable(Exception):
    """Raised where a component knows its backing service failed."""


class ModelBusy(DependencyUnavailable):
    """The language model has as many requests generating and waiting as it may take; the
    client should come back after ``retry_after_s``."""

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


def _dependency_reasons() -> tuple[tuple[tuple[type[BaseException], ...], str | None], ...]:
    """Exception types of stores and models with the reason a client sees (``{name}`` is
    the exception's class); ``None`` means the exception's own message, written for users."""
    import chromadb.errors
    import openai
    import psycopg

    return (
        ((DependencyUnavailable,), None),
        ((httpx.TransportError, ConnectionError),
         "a backing service (vector store or language model) is unreachable"),
        ((openai.APIConnectionError, openai.APITimeoutError, openai.APIStatusError),
         "the language model failed: {name}"),
        ((chromadb.errors.ChromaError,), "the vector store failed: {name}"),
        ((sqlite3.OperationalError, psycopg.OperationalError), "the document catalog is unavailable"),
    )


def dependency_failure(exc: BaseException) -> str | None:
    """A user-facing reason when ``exc`` comes from a store or model, else None."""
    for types, reason in _dependency_reasons():
        if isinstance(exc, types):
            return reason.format(name=type(exc).__name__) if reason else str(exc)
    return None


def retry_after_s(exc: BaseException) -> int:
    """When a client should try again: what the failure knows, else a few seconds."""
    return exc.retry_after_s if isinstance(exc, ModelBusy) else 5


class SafeJSONResponse(JSONResponse):
    """JSON that every error body can be written as: non-ASCII text is escaped, so that a
    lone surrogate a client sent (in a key, say) comes back as ``\\ud800`` instead of failing
    the UTF-8 encoder."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


class InvalidBody(HTTPException):
    """A body the service refuses to read (not UTF-8: 400; values no strict JSON parser
    takes: 422). Raised while the route reads the body, which FastAPI passes on to the
    handler here."""


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's list of problems without the ``input`` each one echoes: that may be what no
    JSON can carry (``1e400`` is read as infinity) or a whole article."""
    return jsonable_encoder([{k: v for k, v in error.items() if k != "input"} for error in exc.errors()])


def code_only_traceback(exc: BaseException) -> str:
    """The frames of ``exc`` and of what caused it, with the exception types but not their
    messages: a message may quote the request (FastAPI's validation error holds the whole
    body), and questions and articles stay out of the log above DEBUG."""
    parts = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 10:  # a chain that long is a loop
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.append(f"{type(current).__module__}.{type(current).__qualname__} (message withheld)\n{frames}")
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\nwhile handling:\n".join(parts)


def dependency_exception_types() -> tuple[type[BaseException], ...]:
    return tuple(t for types, _ in _dependency_reasons() for t in types)


def deleted_meanwhile(request: Request) -> str | None:
    """The request's collection, when it was deleted while the request read its stores:
    their failure then means the collection is gone (404), not that a store is down."""
    name: str | None = getattr(request.state, "collection", None)
    if name is None:
        return None
    try:
        return name if request.app.state.components.corpora.find(name) is None else None
    except dependency_exception_types():
        return None


def _collection_refusal(status: int) -> Any:
    async def refuse(request: Request, exc: Exception) -> JSONResponse:
        return SafeJSONResponse({"detail": str(exc)}, status_code=status)
    return refuse


def install_error_handlers(app: FastAPI) -> None:
    """Dependency failures get handlers of their own: those run inside the middleware stack,
    so a 503 still carries CORS headers and a browser widget can read it. The catch-all for
    anything else runs outermost and only hides internals."""

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        gone = deleted_meanwhile(request)
        if gone is not None:
            return SafeJSONResponse({"detail": str(UnknownCollection(gone))}, status_code=404)
        log.warning("dependency failure on %s: %s", request.url.path, type(exc).__name__)
        return JSONResponse({"detail": dependency_failure(exc) or "a backing service failed"},
                            status_code=503, headers={"Retry-After": str(retry_after_s(exc))})

    for exc_type in dependency_exception_types():
        app.add_exception_handler(exc_type, unavailable)

    # Raised wherever a collection is opened, created or deleted: one status per kind.
    for exc_type, status in ((UnknownCollection, 404), (CollectionNameError, 422), (CollectionExists, 409),
                             (DefaultCollectionError, 409)):
        app.add_exception_handler(exc_type, _collection_refusal(status))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return SafeJSONResponse({"detail": validation_errors(exc)}, status_code=422)

    @app.exception_handler(InvalidBody)
    async def unreadable(request: Request, exc: InvalidBody) -> JSONResponse:
        return SafeJSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s: %s", request.url.path, code_only_traceback(exc))
        log.debug("unexpected error on %s", request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal error"}, status_code=500)

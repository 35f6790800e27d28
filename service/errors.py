"""Failures of what the service depends on (vector store, catalog, LLM server) become a 503
with a message; anything else a 500 without internals. Never a stack trace to the client."""

from __future__ import annotations

import logging
import sqlite3

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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


def dependency_exception_types() -> tuple[type[BaseException], ...]:
    return tuple(t for types, _ in _dependency_reasons() for t in types)


def install_error_handlers(app: FastAPI) -> None:
    """Dependency failures get handlers of their own: those run inside the middleware stack,
    so a 503 still carries CORS headers and a browser widget can read it. The catch-all for
    anything else runs outermost and only hides internals."""

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("dependency failure on %s: %s", request.url.path, type(exc).__name__)
        return JSONResponse({"detail": dependency_failure(exc) or "a backing service failed"},
                            status_code=503, headers={"Retry-After": str(retry_after_s(exc))})

    for exc_type in dependency_exception_types():
        app.add_exception_handler(exc_type, unavailable)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

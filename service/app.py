"""The FastAPI application, built around an assembled set of components."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service.allocator import tune_allocator
from service.assembly import Components
from service.collector import freeze_startup_heap, thaw_startup_heap
from service.errors import install_error_handlers
from service.observability.logs import configure_logging
from service.observability.middleware import RequestObserver
from service.routers import (api_docs, ask, chat_completions, collections, documents, feeds, health, metrics,
                             search, widget)
from service.security.body_limit import BodyLimitMiddleware
from service.security.json_body import JsonBodyCheck
from service.service_claim import hold_for_worker
from service.settings import Settings
from service.storage_errors import install_storage_error_handler


def create_app(components: Components, *, warm: bool = False,
               on_start: Callable[[], object] | None = None) -> FastAPI:
    """``warm`` loads every model at start-up and then freezes the start-up heap out of the
    cycle collector's reach (``service.collector``); the server does this, tests that need
    only part of the stack leave it off. ``on_start`` runs first: what fails there stops the
    process before it loads anything, and uvicorn then stops its other workers too."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_start:
            on_start()
        if warm:
            components.warm_up()
            freeze_startup_heap()
        if components.settings.feeds_poll:
            components.feed_scheduler.start()
        yield
        if warm:
            thaw_startup_heap()
        components.close()

    # FastAPI's own /docs and /redoc load their scripts from a CDN; api_docs serves them.
    app = FastAPI(title="newsqa", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Answers about news articles with checked inline citations.")
    app.state.components = components
    install_error_handlers(app)
    install_storage_error_handler(app)
    for module in (health, metrics, collections, documents, feeds, search, ask, chat_completions, widget,
                   api_docs):
        app.include_router(module.router)
    app.add_middleware(JsonBodyCheck)  # inside the size cap: only bodies under it are read whole
    app.add_middleware(BodyLimitMiddleware, max_bytes=int(components.settings.max_body_mb * 1024 * 1024))
    app.add_middleware(RequestObserver, metrics=components.metrics)
    # Added last, so it wraps every other middleware: a 401 or 429 without CORS headers
    # would reach the widget as an unreadable network error.
    app.add_middleware(CORSMiddleware, allow_origins=components.settings.cors_origins,
                       allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                       allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"],
                       expose_headers=["Retry-After", "X-Request-ID"])
    return app


def create_app_from_settings() -> FastAPI:
    """The app of one worker process under ``newsqa serve --workers N``: settings come from
    the environment the command was started with."""
    settings = Settings()
    tune_allocator(settings.malloc_arenas, settings.malloc_mmap_threshold_kb)
    configure_logging(settings.log_level, settings.log_format)
    components = Components(settings)
    return create_app(components, warm=True, on_start=lambda: hold_for_worker(components))

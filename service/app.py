"""The FastAPI application, built around an assembled set of components."""

from __future__ import annotations

from fastapi import FastAPI

from service.assembly import Components
from service.routers import documents, health


def create_app(components: Components) -> FastAPI:
    app = FastAPI(title="newsqa", version="0.1.0",
                  description="Answers about news articles with checked inline citations.")
    app.state.components = components
    app.include_router(health.router)
    app.include_router(documents.router)
    return app

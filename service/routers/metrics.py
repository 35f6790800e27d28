"""Prometheus scrape endpoint. Open like the health probes: it carries counts and timings,
never text; restrict it at the proxy if even those must stay private."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(request.app.state.components.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

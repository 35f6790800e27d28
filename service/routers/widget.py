"""The chat widget script and its demo page. The service serves them itself, so embedding the
widget on a site needs nothing but this host."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(tags=["widget"])


@router.get("/widget.js", include_in_schema=False)
def widget_script() -> FileResponse:
    """Cached for five minutes: embedding sites pick up a new version soon after a deploy."""
    return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/", include_in_schema=False)
def demo_page() -> FileResponse:
    """The widget over whatever this service has ingested, with example questions."""
    return FileResponse(STATIC_DIR / "demo.html", media_type="text/html")

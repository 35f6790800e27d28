"""The API's documentation pages, Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served
whole from this host: FastAPI's own pages load their scripts from a CDN, and on the offline
machines this service is built for they stay blank. The scripts and styles come from the
installed ``fastapi-offline`` package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"})
# The pages may fetch nothing from another host, not even what a bundle reaches for by
# itself (ReDoc's sidebar shows its maker's logo from their CDN). Both pages start from an
# inline script, and ReDoc searches in a worker made from a blob.
OFFLINE = {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                                      "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                      "worker-src 'self' blob:"}

router = APIRouter(include_in_schema=False)


def _asset(request: Request, name: str) -> str:
    return request.url_for("docs_asset", name=name).path


def _schema(request: Request) -> str:
    return request.url_for("openapi").path


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers.update(OFFLINE)
    return page


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return _offline(get_swagger_ui_html(
        openapi_url=_schema(request), title=f"{request.app.title} API",
        swagger_js_url=_asset(request, "swagger-ui-bundle.js"),
        swagger_css_url=_asset(request, "swagger-ui.css"),
        swagger_favicon_url=_asset(request, "favicon.png")))


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return _offline(get_redoc_html(
        openapi_url=_schema(request), title=f"{request.app.title} API",
        redoc_js_url=_asset(request, "redoc.standalone.js"),
        redoc_favicon_url=_asset(request, "favicon.png"), with_google_fonts=False))


@router.get("/docs-assets/{name}", name="docs_asset")
def docs_asset(name: str) -> FileResponse:
    """Only the listed files: the name never becomes a path of its own choosing. Cached for
    a day; a new package version ships under the same names but comes with a restart."""
    if name not in ASSETS:
        raise HTTPException(status_code=404, detail=f"no documentation asset '{name}'")
    return FileResponse(ASSETS_DIR / name, headers={"Cache-Control": "public, max-age=86400"})

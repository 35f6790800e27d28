"""The API's documentation pages in headless Chromium, on a real port: Swagger UI (/docs)
and ReDoc (/redoc) render every operation with their scripts and styles from the service
itself, and no request leaves the host. Screenshots go to ``test-output/docs/``."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from service.app import create_app
from service.assembly import Components
from service.settings import PROJECT_ROOT
from tests.browser import needs_chromium
from tests.conftest import LiveServer

SHOTS = PROJECT_ROOT / "test-output" / "docs"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}

pytestmark = needs_chromium


@pytest.fixture
def service(components: Components) -> Iterator[LiveServer]:
    with LiveServer(create_app(components)) as live:
        yield live


def _operations(service: LiveServer) -> list[tuple[str, str]]:
    paths = httpx.get(f"{service.url}/openapi.json").json()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item if method in METHODS]


def _offline(page: Page, service: LiveServer) -> list[str]:
    """Serves only what the service itself answers; any other request is refused, as on a
    machine without internet access, and recorded."""
    outside: list[str] = []

    def route(r: Route) -> None:
        url = r.request.url
        if url.startswith(f"{service.url}/") or url.startswith("data:"):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    return outside


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_swagger_ui_renders_every_operation_without_leaving_the_host(page: Page, service: LiveServer) -> None:
    operations = _operations(service)
    assert ("POST", "/v1/ask") in operations and ("GET", "/v1/documents") in operations
    outside = _offline(page, service)
    page.goto(f"{service.url}/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("newsqa")
    expect(page.locator(".opblock")).to_have_count(len(operations))
    ask = page.locator(".opblock-post", has=page.locator(".opblock-summary-path[data-path='/v1/ask']"))
    ask.locator(".opblock-summary").click()
    expect(ask.get_by_role("button", name="Try it out")).to_be_visible()
    expect(ask.locator(".opblock-section-request-body")).to_contain_text("question")
    assert outside == []
    _shot(page, "swagger")


def test_redoc_renders_every_operation_without_leaving_the_host(page: Page, service: LiveServer) -> None:
    operations = _operations(service)
    outside = _offline(page, service)
    page.goto(f"{service.url}/redoc")

    expect(page.locator("h1")).to_contain_text("newsqa")
    expect(page.locator("[data-section-id^='operation/']")).to_have_count(len(operations))
    expect(page.get_by_text("/v1/ask").first).to_be_attached()
    assert outside == []
    _shot(page, "redoc")

"""The widget's ``data-collection`` in headless Chromium against the real service: a site's
widget key reads only its collection, and the widget asks for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.responses import HTMLResponse
from playwright.sync_api import Page, expect

from ingest.article import Article
from service.app import create_app
from service.assembly import Components
from service.settings import Settings
from tests.browser import needs_chromium
from tests.conftest import LiveServer

pytestmark = needs_chromium
WIDGET_KEY = "wk-9d3c1e7b5a20"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Wire desk</title></head>
<body><h1>Wire desk</h1><script src="/widget.js" data-endpoint="/" data-key="{key}"
data-collection="{collection}" data-title="Wire answers" data-position="inline"></script></body></html>"""
FERRY = Article(title="Quorvale ferry strike called off", id="wire-ferry", published="2026-04-03",
                source="Wire Desk", text="The Quorvale ferry strike was called off on Friday after the "
                                         "union accepted a 6 percent raise.")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[LiveServer]:
    from eval.bench.common import free_port

    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    keys = {WIDGET_KEY: {"scopes": ["query"], "origins": [origin], "collections": ["wire"]}}
    components = Components(Settings(data_dir=Path(tmp_path_factory.mktemp("widget")) / "data",
                                     llm_backend="extractive", api_keys=json.dumps(keys),
                                     cors_origins=[origin], _env_file=None))
    components.embedder = embedder
    components.corpora.create("wire")
    components.corpus("wire").indexer.ingest([FERRY])
    app = create_app(components)

    @app.get("/desk/{collection}")
    def desk(collection: str) -> HTMLResponse:
        return HTMLResponse(PAGE.format(key=WIDGET_KEY, collection=collection))

    with LiveServer(app, port) as live:
        yield live
    components.close()


def _ask(page: Page, question: str) -> None:
    box = page.get_by_role("textbox", name="Your question")
    box.fill(question)
    box.press("Enter")


def test_the_widget_asks_its_collection_with_its_key(page: Page, service: LiveServer) -> None:
    sent: list[dict[str, Any]] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data)) if r.url.endswith("/v1/ask") else None)
    page.goto(f"{service.url}/desk/wire")
    _ask(page, "Why was the Quorvale ferry strike called off?")
    reply = page.locator("newsqa-chat .msg:not(.user):not(.pending)")
    expect(reply).to_have_count(1, timeout=60_000)
    expect(reply.first).to_contain_text("6 percent")
    assert sent[-1]["collection"] == "wire"


def test_a_collection_the_key_is_not_given_is_a_clear_error(page: Page, service: LiveServer) -> None:
    page.goto(f"{service.url}/desk/default")
    _ask(page, "Why was the Quorvale ferry strike called off?")
    reply = page.locator("newsqa-chat .msg:not(.user):not(.pending)")
    expect(reply).to_have_count(1, timeout=60_000)
    expect(reply.first).to_have_class("msg error")
    expect(reply.first).to_contain_text("(404)")

"""The widget's plain HTTP side: the script and the demo page are served, and browsers get
CORS answers only on the configured origins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components
from service.settings import Settings

ALLOWED = "http://localhost:8000"
FOREIGN = "https://elsewhere.example"


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(Components(settings)))


def test_widget_script_is_served_as_javascript(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "max-age" in response.headers["cache-control"]
    assert 'customElements.define(TAG, NewsqaChat)' in response.text


def test_widget_script_never_writes_markup_and_loads_nothing_else(client: TestClient) -> None:
    """Articles are untrusted: no HTML parsing of any string, no fonts, styles or scripts
    from elsewhere."""
    script = client.get("/widget.js").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script
    assert not re.search(r"@import|url\(|<link|import\(", script)
    assert set(re.findall(r"https?://[^\s\"'`]+", script)) <= {"http://www.w3.org/2000/svg", "https://host",
                                                               "https://host/widget.js"}


def test_demo_page_embeds_the_widget_with_example_questions(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script src="/widget.js" data-endpoint="/"' in response.text
    for question in ("Which company did Apple first choose as its AI partner in China?",
                     "What is the latest estimate of insured losses from Storm Delphine?",
                     "How many kettles did Brightwell recall?"):
        assert question in response.text


def test_allowed_origin_may_post_with_a_key(client: TestClient) -> None:
    preflight = client.options("/v1/ask", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    assert {"authorization", "content-type"} <= {
        h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_allowed_origin_can_read_retry_after(client: TestClient) -> None:
    response = client.get("/healthz", headers={"Origin": ALLOWED})
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()


def test_foreign_origin_gets_no_cors_grant(client: TestClient) -> None:
    preflight = client.options("/v1/ask", headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    response = client.get("/healthz", headers={"Origin": FOREIGN})
    assert "access-control-allow-origin" not in response.headers


def test_cors_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSQA_CORS_ORIGINS", f'["{FOREIGN}"]')
    settings = Settings(data_dir=tmp_path, _env_file=None)
    assert settings.cors_origins == [FOREIGN]
    client = TestClient(create_app(Components(settings)))
    assert client.get("/healthz", headers={"Origin": FOREIGN}).headers["access-control-allow-origin"] == FOREIGN
    assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": ALLOWED}).headers

"""JSON log lines: one object per line, each with the request id; no question text at INFO."""

from __future__ import annotations

import io
import json
import logging
from typing import Iterator

import pytest
import httpx
from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components
from service.observability.logs import configure_logging
from tests.logs import captured_logs

QUESTION = "How many kettles did Brightwell recall in its zebra-striped campaign?"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    with captured_logs("INFO") as stream:
        yield stream


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_is_json_with_the_request_id(sample_components: Components, log_stream: io.StringIO) -> None:
    client = TestClient(create_app(sample_components))
    response = client.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    rid = response.headers["x-request-id"]
    lines = _lines(log_stream)
    access = [line for line in lines if line["logger"] == "newsqa.http"]
    assert access == [{**access[0], "request_id": rid, "method": "POST", "route": "/v1/ask", "status": 200}]
    assert {"time", "level", "message", "duration_ms"} <= set(access[0])
    assert all(line["request_id"] == rid for line in lines if line["logger"].startswith("newsqa"))
    assert "zebra" not in log_stream.getvalue() and "kettles" not in log_stream.getvalue()


def test_a_callers_request_id_is_kept_and_a_strange_one_replaced(components: Components,
                                                                 log_stream: io.StringIO) -> None:
    client = TestClient(create_app(components))
    assert client.get("/healthz", headers={"X-Request-ID": "trace-42.a"}).headers["x-request-id"] == "trace-42.a"
    replaced = client.get("/healthz", headers={"X-Request-ID": "evil\" injected"}).headers["x-request-id"]
    assert replaced != "evil\" injected" and len(replaced) == 32
    served = [line["request_id"] for line in _lines(log_stream) if line["logger"] == "newsqa.http"]
    assert served == ["trace-42.a", replaced]


def test_keys_never_reach_the_logs(components: Components, log_stream: io.StringIO) -> None:
    client = TestClient(create_app(components))
    client.get("/v1/documents/doc-1", headers={"Authorization": "Bearer secret-key-abc123"})
    assert "secret-key-abc123" not in log_stream.getvalue()


def test_text_format_for_people(components: Components) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        configure_logging("info", "text", stream)
        TestClient(create_app(components)).get("/healthz", headers={"X-Request-ID": "r-1"})
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
    assert "INFO newsqa.http [r-1] GET /healthz 200" in stream.getvalue()


def _call_a_store() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    with httpx.Client(transport=transport) as client:
        client.get("http://127.0.0.1:8001/api/v2/heartbeat")


def test_store_and_model_calls_stay_out_of_the_log_at_info(log_stream: io.StringIO) -> None:
    _call_a_store()
    assert "HTTP Request" not in log_stream.getvalue()
    logging.getLogger("httpx").warning("store unreachable")
    assert "store unreachable" in log_stream.getvalue()


def test_store_and_model_calls_are_logged_at_debug(log_stream: io.StringIO) -> None:
    configure_logging("DEBUG", "json", log_stream)
    _call_a_store()
    assert "HTTP Request: GET http://127.0.0.1:8001/api/v2/heartbeat" in log_stream.getvalue()

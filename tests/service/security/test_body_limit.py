"""Request bodies over NEWSQA_MAX_BODY_MB get 413, declared or streamed."""

from __future__ import annotations

from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components
from service.settings import Settings


@pytest.fixture
def client(settings: Settings) -> TestClient:
    limited = settings.model_copy(update={"max_body_mb": 0.01})  # 10 KiB
    return TestClient(create_app(Components(limited)))


def test_declared_length_over_the_cap_is_refused_unread(client: TestClient) -> None:
    body = b'{"query": "' + b"x" * 20_000 + b'"}'
    response = client.post("/v1/search", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"] == "request body is 20 KB; the limit is 10 KB"


def test_streamed_body_is_counted_and_cut_off(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"articles": [{"title": "t", "text": "'
        for _ in range(20):
            yield b"y" * 1000
        yield b'"}]}'

    response = client.post("/v1/documents", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"] == "request body is over the 10 KB limit"


def test_streamed_upload_is_cut_off(client: TestClient) -> None:
    response = client.post("/v1/documents/upload", files={"file": ("big.txt", b"z" * 50_000)})
    assert response.status_code == 413


def test_bodies_under_the_cap_pass(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "q", "top_k": 0})
    assert response.status_code == 422

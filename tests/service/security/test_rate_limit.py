"""Token buckets: a burst, then the per-minute rate; 429 with Retry-After over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components
from service.security.rate_limit import RateLimiter
from service.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == 1.0
    assert limiter.take("b") == 0.0, "identities have buckets of their own"
    clock.now += 0.5
    assert limiter.take("a") == 0.5
    clock.now += 0.5
    assert limiter.take("a") == 0.0


def test_zero_rate_disables_limits() -> None:
    limiter = RateLimiter(per_minute=0, burst=1)
    assert not limiter.enabled
    assert all(limiter.take("a") == 0.0 for _ in range(100))


def test_idle_clients_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=2, max_identities=3, clock=clock)
    for client in "abc":
        limiter.take(client)
    clock.now += 10
    limiter.take("d")
    assert set(limiter._buckets) == {"d"}


def _client(tmp_path: Path, keys: dict, client: tuple[str, int] = ("10.0.0.1", 5000)) -> TestClient:
    components = Components(Settings(data_dir=tmp_path / "data", llm_backend="extractive",
                                     api_keys=json.dumps(keys), rate_limit_per_minute=6,
                                     rate_limit_burst=2, _env_file=None))
    return TestClient(create_app(components), client=client)


def test_per_address_limit_is_429_with_retry_after(tmp_path: Path) -> None:
    client = _client(tmp_path, {"k-one-3f5a9c": ["query"], "k-two-8d1e0b": ["query"]})
    assert client.get("/v1/documents", headers={"X-API-Key": "k-one-3f5a9c"}).status_code == 200
    assert client.get("/v1/documents", headers={"X-API-Key": "k-two-8d1e0b"}).status_code == 200
    limited = client.get("/v1/documents", headers={"X-API-Key": "k-two-8d1e0b"})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 10
    assert "per client address" in limited.json()["detail"]
    guessing = client.get("/v1/documents", headers={"X-API-Key": "guess"})
    assert guessing.status_code == 429, "key guessing is throttled before the key is looked at"


def test_per_key_limit_applies_across_addresses(tmp_path: Path) -> None:
    first = _client(tmp_path, {"k-one-3f5a9c": ["query"]})
    second = TestClient(first.app, client=("10.0.0.2", 5000))
    headers = {"Authorization": "Bearer k-one-3f5a9c"}
    assert first.get("/v1/documents", headers=headers).status_code == 200
    assert second.get("/v1/documents", headers=headers).status_code == 200
    limited = second.get("/v1/documents", headers=headers)
    assert limited.status_code == 429 and "per key" in limited.json()["detail"]
    assert int(limited.headers["retry-after"]) >= 1


def test_health_and_metrics_are_not_limited(tmp_path: Path) -> None:
    client = _client(tmp_path, {"k-one-3f5a9c": ["query"]})
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))

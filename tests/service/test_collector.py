"""A warm server freezes what start-up made out of the cycle collector's reach, and hands
it back when it stops."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components


def test_a_warm_server_freezes_its_startup_heap_until_it_stops(sample_components: Components) -> None:
    components = Components(sample_components.settings)
    components.embedder = sample_components.embedder
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(components, warm=True)) as client:
        frozen = gc.get_freeze_count()
        # The models, modules and app made before the first request: far more than a request makes.
        assert frozen > 50_000
        body = client.post("/v1/search", json={"query": "kettle recall", "top_k": 2}).json()
        assert body["passages"], body
        gc.collect()
        # Frozen objects freed by their last reference leave the count; the rest stay out.
        assert gc.get_freeze_count() > 0.9 * frozen
    assert gc.get_freeze_count() == 0

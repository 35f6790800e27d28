from __future__ import annotations

from fastapi.testclient import TestClient

from ingest.article import Article
from service.app import create_app
from service.assembly import Components


def test_health_ready_and_document_listing(components: Components) -> None:
    components.indexer.ingest([
        Article(title="Dock strike ends", text="Dock workers returned on Monday.", id="dock-1",
                published="2025-06-02", source="Harbor Ledger"),
        Article(title="Rail fares rise", text="Fares rise 3% in January.", id="rail/2",
                published="2024-12-01", source="Metro Wire"),
    ])
    client = TestClient(create_app(components))
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"catalog": "ok", "vectors": "ok"}

    listing = client.get("/v1/documents").json()["documents"]
    assert [d["id"] for d in listing] == ["dock-1", "rail/2"]
    assert client.get("/v1/documents", params={"source": "Metro Wire"}).json()["documents"][0]["id"] == "rail/2"

    doc = client.get("/v1/documents/rail/2").json()
    assert doc["text"] == "Fares rise 3% in January." and doc["published"] == "2024-12-01"
    missing = client.get("/v1/documents/none-such")
    assert missing.status_code == 404 and "none-such" in missing.json()["detail"]

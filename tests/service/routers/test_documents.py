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
    assert client.get("/readyz").status_code == 503
    components.warm_up()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"catalog": "ok", "vectors": "ok", "models": "ok"}

    listing = client.get("/v1/documents").json()["documents"]
    assert [d["id"] for d in listing] == ["dock-1", "rail/2"]
    assert client.get("/v1/documents", params={"source": "Metro Wire"}).json()["documents"][0]["id"] == "rail/2"

    doc = client.get("/v1/documents/rail/2").json()
    assert doc["text"] == "Fares rise 3% in January." and doc["published"] == "2024-12-01"
    missing = client.get("/v1/documents/none-such")
    assert missing.status_code == 404 and "none-such" in missing.json()["detail"]


def test_add_upload_and_delete_documents(components: Components) -> None:
    client = TestClient(create_app(components))
    added = client.post("/v1/documents", json={"articles": [
        {"id": "ferry-9", "title": "Ferry fares frozen", "text": "Ferry fares stay at $3 until 2027.",
         "published": "2025-03-04", "source": "Harbor Ledger"}]})
    assert added.status_code == 200 and added.json()["added"] == ["ferry-9"]
    again = client.post("/v1/documents", json={"articles": [
        {"id": "ferry-9", "title": "Ferry fares frozen", "text": "Ferry fares stay at $3 until 2027.",
         "published": "2025-03-04", "source": "Harbor Ledger"}]})
    assert again.json()["unchanged"] == ["ferry-9"]

    md = "---\nid: up-1\ntitle: Dock cranes arrive\ndate: 2025-05-05\n---\nFour new cranes arrived.\n"
    uploaded = client.post("/v1/documents/upload", files={"file": ("cranes.md", md, "text/markdown")})
    assert uploaded.status_code == 200 and uploaded.json()["added"] == ["up-1"]
    assert client.get("/v1/documents/up-1").json()["title"] == "Dock cranes arrive"

    assert client.delete("/v1/documents/up-1").json() == {"deleted": "up-1"}
    assert client.get("/v1/documents/up-1").status_code == 404
    assert client.delete("/v1/documents/up-1").status_code == 404


def test_bad_documents_get_precise_errors(components: Components) -> None:
    client = TestClient(create_app(components))
    binary = client.post("/v1/documents/upload", files={"file": ("x.txt", b"\x00\x01" * 50, "text/plain")})
    assert binary.status_code == 422 and "binary" in binary.json()["detail"]
    latin = client.post("/v1/documents/upload", files={"file": ("x.txt", "Caf\xe9".encode("latin-1"), "text/plain")})
    assert latin.status_code == 422 and "UTF-8" in latin.json()["detail"]
    pdf = client.post("/v1/documents/upload", files={"file": ("x.pdf", b"%PDF-1.4", "application/pdf")})
    assert pdf.status_code == 415 and "unsupported file type" in pdf.json()["detail"]
    empty = client.post("/v1/documents/upload", files={"file": ("x.md", b"", "text/markdown")})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    no_text = client.post("/v1/documents", json={"articles": [{"title": "T", "text": ""}]})
    assert no_text.status_code == 422
    unknown_field = client.post("/v1/documents", json={"articles": [{"title": "T", "text": "x", "colour": 1}]})
    assert unknown_field.status_code == 422 and "colour" in unknown_field.text

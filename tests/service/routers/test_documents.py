from __future__ import annotations

from pathlib import Path

import chromadb.errors
import pytest
from fastapi.testclient import TestClient

from ingest.article import Article
from ingest.embedder import Embedder
from service.app import create_app
from service.assembly import Components
from service.settings import Settings


def test_health_ready_and_document_listing(components: Components) -> None:
    components.corpus().indexer.ingest([
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

    listing = client.get("/v1/documents").json()
    assert [d["id"] for d in listing["documents"]] == ["dock-1", "rail/2"]
    assert (listing["total"], listing["limit"], listing["offset"]) == (2, 50, 0)
    by_source = client.get("/v1/documents", params={"source": "Metro Wire"}).json()
    assert [d["id"] for d in by_source["documents"]] == ["rail/2"] and by_source["total"] == 1
    second = client.get("/v1/documents", params={"limit": 1, "offset": 1}).json()
    assert [d["id"] for d in second["documents"]] == ["rail/2"] and second["total"] == 2
    assert client.get("/v1/documents", params={"limit": 0}).status_code == 422

    doc = client.get("/v1/documents/rail/2").json()
    assert doc["text"] == "Fares rise 3% in January." and doc["published"] == "2024-12-01"
    missing = client.get("/v1/documents/none-such")
    assert missing.status_code == 404 and "none-such" in missing.json()["detail"]
    assert client.get("/v1/documents", params={"offset": 2**62}).json()["documents"] == []
    beyond = client.get("/v1/documents", params={"offset": 2**62 + 1})
    assert beyond.status_code == 422 and "offset" in beyond.text


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


CHROMA_FULL = ("Query error: Database error: error returned from database: (code: 13) database "
               "or disk is full")
CHROMA_READ_ONLY = ("Query error: Database error: error returned from database: (code: 8) attempt "
                    "to write a readonly database")


@pytest.fixture
def embedded(tmp_path: Path, embedder: Embedder) -> Components:
    """Embedded stores whatever mode the other tests run in: their files are what fails here."""
    built = Components(Settings(data_dir=tmp_path / "data", llm_backend="extractive", _env_file=None))
    built.embedder = embedder
    return built


def _failing_vector_writes(components: Components, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Chroma's own words when its SQLite file cannot be written."""
    def upsert(*args: object, **kwargs: object) -> None:
        raise chromadb.errors.InternalError(text)

    monkeypatch.setattr(components.corpus().vectors, "upsert", upsert)


FERRY = {"articles": [{"id": "ferry-9", "title": "Ferry fares frozen",
                       "text": "Ferry fares stay at $3 until 2027.", "source": "Harbor Ledger"}]}


def test_full_disk_is_a_507_naming_the_store_and_nothing_is_half_written(
        embedded: Components, monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(create_app(embedded), raise_server_exceptions=False)
    _failing_vector_writes(embedded, monkeypatch, CHROMA_FULL)

    full = client.post("/v1/documents", json=FERRY)

    assert full.status_code == 507 and "Retry-After" not in full.headers
    detail = full.json()["detail"]
    assert detail.startswith(f"cannot write the vector store {embedded.settings.chroma_path}: "
                             "database or disk is full (SQLITE_FULL); free disk space"), detail
    assert client.get("/v1/documents/ferry-9").status_code == 404

    monkeypatch.undo()
    assert client.post("/v1/documents", json=FERRY).json()["added"] == ["ferry-9"]


def test_read_only_store_is_a_503_with_the_remedy(embedded: Components,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(create_app(embedded), raise_server_exceptions=False)
    _failing_vector_writes(embedded, monkeypatch, CHROMA_READ_ONLY)
    upload = ("---\nid: up-2\ntitle: Dock cranes arrive\n---\nFour new cranes arrived.\n")

    for response in (client.post("/v1/documents", json=FERRY),
                     client.post("/v1/documents/upload", files={"file": ("c.md", upload, "text/markdown")})):
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        detail = response.json()["detail"]
        assert detail.startswith(f"cannot write the vector store {embedded.settings.chroma_path}: "
                                 "attempt to write a readonly database (SQLITE_READONLY); make "), detail
        assert "writable for user" in detail

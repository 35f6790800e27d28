"""The stores fail under a running API: ``/readyz`` says which, questions get a 503 with a
message, and service resumes by itself when the store is back, without an API restart."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import httpx
import pytest

from ingest.article import Article
from ingest.embedder import Embedder
from service.app import create_app
from service.assembly import Components
from service.settings import Settings
from tests.conftest import LiveServer
from tests.servers import ChromaServer, PostgresServer

QUESTION = {"question": "How many electric ferries did the Quillmouth harbour board order?"}
ARTICLE = Article(
    id="harbour-ferry", title="Quillmouth harbour orders two electric ferries",
    published="2026-05-04", source="Coastal Ledger",
    text="The Quillmouth harbour board ordered two electric ferries on Monday. The vessels will "
         "replace diesel boats on the island route from 2027.")


@pytest.fixture
def own_servers(tmp_path: Path) -> Iterator[tuple[ChromaServer, PostgresServer]]:
    """Servers of this test alone, since it stops them."""
    chroma = ChromaServer(tmp_path / "chroma").start()
    postgres = PostgresServer().start()
    try:
        yield chroma, postgres
    finally:
        chroma.kill()
        postgres.stop()


@pytest.fixture
def api(tmp_path: Path, own_servers: tuple[ChromaServer, PostgresServer],
        embedder: Embedder) -> Iterator[LiveServer]:
    chroma, postgres = own_servers
    components = Components(Settings(
        data_dir=tmp_path / "data", llm_backend="extractive", chroma_mode="server",
        chroma_port=chroma.port, catalog_url=postgres.url(), _env_file=None))
    components.embedder = embedder
    report = components.corpus().indexer.ingest([ARTICLE])
    assert report.added == ["harbour-ferry"]
    components.warm_up()
    with LiveServer(create_app(components)) as server:
        yield server
    components.close()


def _ready(api: LiveServer) -> httpx.Response:
    return httpx.get(f"{api.url}/readyz", timeout=30)


def _ask(api: LiveServer) -> httpx.Response:
    return httpx.post(f"{api.url}/v1/ask", json=QUESTION, timeout=60)


def _serves(api: LiveServer) -> None:
    assert _ready(api).status_code == 200
    answer = _ask(api)
    assert answer.status_code == 200, answer.text
    assert "two" in answer.json()["answer"] and answer.json()["citations"]


@pytest.mark.parametrize("store", ["vectors", "catalog"])
def test_store_stopped_then_back(api: LiveServer, own_servers: tuple[ChromaServer, PostgresServer],
                                 store: str) -> None:
    chroma, postgres = own_servers
    stop, restart, detail = {
        "vectors": (chroma.kill, chroma.start,
                    "a backing service (vector store or language model) is unreachable"),
        "catalog": (postgres.halt, postgres.resume, "the document catalog is unavailable"),
    }[store]
    _serves(api)
    stop()
    ready = _ready(api)
    assert ready.status_code == 503
    assert ready.json()["checks"][store].startswith("unavailable")
    failed = _ask(api)
    assert failed.status_code == 503 and failed.headers["Retry-After"]
    assert failed.json()["detail"] == detail

    restart()
    _serves(api)

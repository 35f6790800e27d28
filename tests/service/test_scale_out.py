"""Several API processes on shared stores: ``newsqa serve --workers 2`` plus a second
server standing in for another host, all on ``chroma run`` and PostgreSQL. A document
ingested through any of them is found, and a deletion is seen, by every other at once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.servers import ApiProcess, ChromaServer, PostgresServer

ARTICLE = {
    "id": "harbour-ferry", "title": "Quillmouth harbour orders two electric ferries",
    "published": "2026-05-04", "source": "Coastal Ledger",
    "text": "The Quillmouth harbour board ordered two electric ferries on Monday. "
            "The vessels will replace diesel boats on the island route from 2027, "
            "and the board said the order cost 31 million euros.",
}


@pytest.fixture
def shared_env(tmp_path: Path, chroma_server: ChromaServer, postgres_server: PostgresServer) -> dict[str, str]:
    return {**os.environ, "NEWSQA_DATA_DIR": str(tmp_path / "data"),
            "NEWSQA_LLM_BACKEND": "extractive", "NEWSQA_CHROMA_MODE": "server",
            "NEWSQA_CHROMA_PORT": str(chroma_server.port),
            "NEWSQA_COLLECTION": f"t{uuid.uuid4().hex}",
            "NEWSQA_CATALOG_URL": postgres_server.new_database(), "NEWSQA_RATE_LIMIT_PER_MINUTE": "0"}


@pytest.fixture
def two_hosts(shared_env: dict[str, str]) -> Iterator[tuple[ApiProcess, ApiProcess]]:
    workers = ApiProcess(shared_env, "--workers", "2")
    single = ApiProcess(shared_env)
    try:
        workers.wait_ready()
        single.wait_ready()
        yield workers, single
    finally:
        workers.stop()
        single.stop()


def _found(url: str, query: str, times: int) -> list[bool]:
    """Concurrent searches, so that both workers behind the port take some; a hit counts
    only when the lexical index of the process that answered found the article."""
    def one(_: int) -> bool:
        response = httpx.post(f"{url}/v1/search", json={"query": query, "top_k": 3}, timeout=30)
        response.raise_for_status()
        return any(p["doc_id"] == ARTICLE["id"] and "lexical" in p["scores"]
                   for p in response.json()["passages"])

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(times)))


def test_every_process_sees_an_ingest_and_a_delete_made_through_another(
        two_hosts: tuple[ApiProcess, ApiProcess]) -> None:
    workers, single = two_hosts
    assert _found(workers.url, "Quillmouth", 4) == [False] * 4

    added = httpx.post(f"{single.url}/v1/documents", json={"articles": [ARTICLE]}, timeout=60)
    assert added.status_code == 200, added.text
    assert all(_found(workers.url, "Quillmouth", 16))
    assert all(_found(single.url, "Quillmouth ferries", 4))

    assert httpx.delete(f"{workers.url}/v1/documents/{ARTICLE['id']}", timeout=30).status_code == 200
    assert not any(_found(single.url, "Quillmouth", 4))
    assert not any(_found(workers.url, "Quillmouth", 16))


def test_several_workers_need_the_chroma_server(tmp_path: Path) -> None:
    env = {**os.environ, "NEWSQA_DATA_DIR": str(tmp_path / "data"), "NEWSQA_LLM_BACKEND": "extractive"}
    done = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--workers", "2"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "several workers need Chroma in server mode" in done.stderr

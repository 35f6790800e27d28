"""``newsqa ingest`` and ``newsqa docs delete`` next to a running ``newsqa serve`` on the same
data dir, all as real processes: the next question sees the change, with no restart, on the
embedded files (where the service does the writing) and on ``chroma run`` with two workers
(where the command writes itself)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from service.data_dir_claim import HOLDER_NAME
from service.ingest_command import show_encoder_progress
from tests.servers import ApiProcess, ChromaServer, PostgresServer

DOC_ID = "city-desk/airship?edition=1"  # a slash and a question mark, as URL ids have
ARTICLE = f"""---
id: {DOC_ID}
title: Quorvale airship hangar opens
date: 2026-04-02
source: Valley Courier
---
The Quorvale airship hangar opened on Thursday after two years of building work.
It can hold three airships, and the regional council said it cost 48 million euros.
"""
QUESTION = "How much did the Quorvale airship hangar cost?"
READER_KEY = "reader-key-0123456789abcdef"


def newsqa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    news = tmp_path / "news"
    news.mkdir()
    (news / "hangar.md").write_text(ARTICLE)
    (news / "scan.pdf").write_bytes(b"%PDF-1.7")
    return news


def ask(server: ApiProcess) -> dict[str, object]:
    response = httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=120,
                          headers={"Authorization": f"Bearer {READER_KEY}"})
    assert response.status_code == 200, response.text
    return response.json()


def cited(answer: dict[str, object]) -> set[str]:
    return {c["doc_id"] for c in answer["citations"]}  # type: ignore[attr-defined, index]


def test_a_first_ingest_says_it_is_preparing_the_encoder(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    log = logging.getLogger("newsqa.encoder")
    handlers, level = list(log.handlers), log.level
    try:
        log.handlers.clear()
        show_encoder_progress()
        show_encoder_progress()  # once only, however often a process ingests
        log.info("preparing the encoder (one-time, about 20 s)...")
        assert capsys.readouterr().err == "preparing the encoder (one-time, about 20 s)...\n"
    finally:
        log.handlers[:] = handlers
        log.setLevel(level)


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    """Keys configured, so the command must use the token the service left in its data dir:
    the reader key has no admin scope."""
    return {**os.environ, "NEWSQA_DATA_DIR": str(tmp_path / "data"), "NEWSQA_LLM_BACKEND": "extractive",
            "NEWSQA_API_KEYS": json.dumps({READER_KEY: ["query"]})}


@pytest.fixture
def embedded_server(embedded_env: dict[str, str]) -> Iterator[ApiProcess]:
    server = ApiProcess(embedded_env).wait_ready()
    yield server
    server.stop()


def test_ingest_and_delete_next_to_the_service_are_seen_by_its_next_answer(
        embedded_env: dict[str, str], embedded_server: ApiProcess, folder: Path) -> None:
    assert DOC_ID not in cited(ask(embedded_server))

    added = newsqa(embedded_env, "ingest", "--quiet", str(folder))
    assert added.returncode == 0, added.stderr
    assert "added 1, updated 0, unchanged 0, failed 0, skipped 1 of unsupported types (.pdf 1)" in added.stdout
    assert f"holds {embedded_env['NEWSQA_DATA_DIR']}; it does the writing" in added.stderr
    answer = ask(embedded_server)
    assert "48 million euros" in str(answer["answer"]) and DOC_ID in cited(answer)
    assert httpx.get(f"{embedded_server.url}/readyz", timeout=10).status_code == 200
    shown = newsqa(embedded_env, "docs", "show", DOC_ID, "--json")
    assert json.loads(shown.stdout)["origin"] == str(folder / "hangar.md")
    again = newsqa(embedded_env, "ingest", "--quiet", str(folder / "hangar.md"))
    assert again.returncode == 0 and "added 0, updated 0, unchanged 1, failed 0" in again.stdout

    deleted = newsqa(embedded_env, "docs", "delete", DOC_ID)
    assert deleted.returncode == 0 and deleted.stdout.strip() == f"deleted {DOC_ID}"
    assert DOC_ID not in cited(ask(embedded_server))
    gone = newsqa(embedded_env, "docs", "delete", DOC_ID)
    assert gone.returncode == 2 and f"no document with id '{DOC_ID}'" in gone.stderr
    assert httpx.get(f"{embedded_server.url}/readyz", timeout=10).status_code == 200


def test_after_the_service_is_killed_the_command_writes_itself(
        embedded_env: dict[str, str], embedded_server: ApiProcess, folder: Path) -> None:
    holder = Path(embedded_env["NEWSQA_DATA_DIR"]) / HOLDER_NAME
    assert holder.stat().st_mode & 0o777 == 0o600
    embedded_server.process.send_signal(signal.SIGKILL)
    embedded_server.process.wait()
    assert holder.exists()  # left behind by kill -9; its lock died with the process

    added = newsqa(embedded_env, "ingest", "--quiet", str(folder))
    assert added.returncode == 0 and "added 1" in added.stdout, added.stderr
    assert "does the writing" not in added.stderr and not holder.exists()

    restarted = ApiProcess(embedded_env).wait_ready()
    try:
        assert DOC_ID in cited(ask(restarted))
    finally:
        restarted.stop()
    assert not holder.exists()  # a service that stops cleanly takes its holder file along


def test_readyz_fails_once_reads_fail(embedded_env: dict[str, str], embedded_server: ApiProcess) -> None:
    """A process that writes the embedded files without asking (here: the indexer itself,
    bypassing the command) leaves the service unable to read them; /readyz must say so."""
    admin = {"Authorization": f"Bearer {json.loads(Path(embedded_env['NEWSQA_DATA_DIR'], HOLDER_NAME).read_text())['token']}"}
    first = {"articles": [{"id": "ferry", "title": "Ferry fares frozen", "text": "Ferry fares stay at $3."}]}
    assert httpx.post(f"{embedded_server.url}/v1/documents", json=first, headers=admin, timeout=60).status_code == 200
    rogue = ("from ingest.article import Article\nfrom service.assembly import Components\n"
             "from service.settings import Settings\n"
             "Components(Settings()).corpus().indexer.ingest([Article(title='Dock', text='The dock reopened.', id='dock')])\n")
    subprocess.run([sys.executable, "-c", rogue], env=embedded_env, check=True, timeout=300)
    ready = httpx.get(f"{embedded_server.url}/readyz", timeout=10)
    assert ready.status_code == 503 and ready.json()["checks"]["vectors"] == "unavailable: InternalError"


@pytest.fixture
def server_mode_env(tmp_path: Path, chroma_server: ChromaServer, postgres_server: PostgresServer) -> dict[str, str]:
    return {**os.environ, "NEWSQA_DATA_DIR": str(tmp_path / "data"),
            "NEWSQA_LLM_BACKEND": "extractive", "NEWSQA_CHROMA_MODE": "server",
            "NEWSQA_CHROMA_PORT": str(chroma_server.port), "NEWSQA_COLLECTION": f"t{uuid.uuid4().hex}",
            "NEWSQA_CATALOG_URL": postgres_server.new_database(), "NEWSQA_RATE_LIMIT_PER_MINUTE": "0"}


def _found_by_every_worker(url: str, times: int = 16) -> list[bool]:
    """Concurrent searches, so that both workers behind the port answer some."""
    def one(_: int) -> bool:
        response = httpx.post(f"{url}/v1/search", json={"query": "Quorvale airship hangar", "top_k": 3},
                              timeout=60)
        response.raise_for_status()
        return any(p["doc_id"] == DOC_ID for p in response.json()["passages"])

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(times)))


def test_with_the_chroma_server_the_command_writes_and_two_workers_see_it(
        server_mode_env: dict[str, str], folder: Path) -> None:
    workers = ApiProcess(server_mode_env, "--workers", "2").wait_ready()
    try:
        assert not any(_found_by_every_worker(workers.url))
        added = newsqa(server_mode_env, "ingest", "--quiet", str(folder))
        assert added.returncode == 0 and "added 1" in added.stdout, added.stderr
        assert "does the writing" not in added.stderr
        assert all(_found_by_every_worker(workers.url))
        assert newsqa(server_mode_env, "docs", "delete", DOC_ID).returncode == 0
        assert not any(_found_by_every_worker(workers.url))
    finally:
        workers.stop()

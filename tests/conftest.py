"""Shared fixtures: real stores in a temporary data dir, the packaged embedder loaded once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from ingest.embedder import Embedder, packaged_model_path  # noqa: E402
from service.assembly import Components  # noqa: E402
from service.settings import Settings  # noqa: E402

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "ingest" / "sample_corpus"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(packaged_model_path(), batch_size=32)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm_backend="extractive", _env_file=None)


@pytest.fixture
def components(settings: Settings, embedder: Embedder) -> Components:
    built = Components(settings)
    built.embedder = embedder
    return built


@pytest.fixture(scope="session")
def sample_components(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Components]:
    """The shipped sample corpus in a real index, extractive answers; built once per run
    and only read by the tests that use it."""
    built = Components(Settings(data_dir=tmp_path_factory.mktemp("sample") / "data",
                                llm_backend="extractive", _env_file=None))
    built.embedder = embedder
    report = built.indexer.ingest(built.sources.read([str(SAMPLE_CORPUS)]))
    assert not report.failed, report.failed
    yield built
    built.close()


class LiveServer:
    """The real app under uvicorn on a free loopback port, in a background thread."""

    def __init__(self, app: object) -> None:
        import socket
        import threading

        import uvicorn

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        import time

        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

"""Shared fixtures: real stores in a temporary data dir, the packaged embedder loaded once."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Model files made from the packages (the encoder's ONNX export, assembled GGUFs) are shared
# by every test and every process a test starts, instead of being made again per data dir.
MODELS_DIR = Path(tempfile.gettempdir()) / "newsqa-test-models"
os.environ.setdefault("NEWSQA_MODELS_DIR", str(MODELS_DIR))

from ingest.embedder import Embedder, packaged_model_path  # noqa: E402
from ingest.encoder_export import ensure_onnx  # noqa: E402
from service.assembly import Components  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.servers import ChromaServer, PostgresServer  # noqa: E402

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "ingest" / "sample_corpus"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Export the encoder before any test runs: tests that limit what a process may write
    must not be the ones that happen to make it."""
    ensure_onnx(packaged_model_path(), Path(os.environ["NEWSQA_MODELS_DIR"]))


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(packaged_model_path(), Path(os.environ["NEWSQA_MODELS_DIR"]), batch_size=32)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server")).start()
    yield server
    server.kill()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.stop()


def _stores(mode: str, request: pytest.FixtureRequest) -> dict[str, object]:
    """Settings of a store mode. The scale-out mode keeps vectors in ``chroma run`` and the
    catalog in PostgreSQL, in a collection and a database of the caller's own."""
    if mode == "embedded":
        return {}
    chroma: ChromaServer = request.getfixturevalue("chroma_server")
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    return {"chroma_mode": "server", "chroma_port": chroma.port,
            "collection": f"t{uuid.uuid4().hex}", "catalog_url": postgres.new_database()}


# Ingest and the HTTP API run on the embedded files and again on the scale-out servers.
BOTH_STORE_MODES = (Path(__file__).parent / "ingest", Path(__file__).parent / "service" / "routers")


@pytest.fixture(scope="session")
def store_mode() -> str:
    return "embedded"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_mode" in metafunc.fixturenames and any(
            folder in metafunc.definition.path.parents for folder in BOTH_STORE_MODES):
        metafunc.parametrize("store_mode", ["embedded", "server"], scope="session")


@pytest.fixture
def settings(tmp_path: Path, store_mode: str, request: pytest.FixtureRequest) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm_backend="extractive", _env_file=None,
                    **_stores(store_mode, request))


@pytest.fixture
def components(settings: Settings, embedder: Embedder) -> Iterator[Components]:
    built = Components(settings)
    built.embedder = embedder
    yield built
    built.close()


@pytest.fixture(scope="session")
def sample_components(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, store_mode: str,
                      request: pytest.FixtureRequest) -> Iterator[Components]:
    """The shipped sample corpus in a real index, extractive answers; built once per run
    (and store mode) and only read by the tests that use it."""
    built = Components(Settings(data_dir=tmp_path_factory.mktemp("sample") / "data",
                                llm_backend="extractive", _env_file=None,
                                **_stores(store_mode, request)))
    built.embedder = embedder
    report = built.corpus().indexer.ingest(built.sources.read([str(SAMPLE_CORPUS)]))
    assert not report.failed, report.failed
    yield built
    built.close()


class LiveServer:
    """The real app under uvicorn on a loopback port (a free one unless given), in a
    background thread."""

    def __init__(self, app: object, port: int | None = None) -> None:
        import threading

        import uvicorn

        from eval.bench.common import free_port

        self.port = port or free_port()
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

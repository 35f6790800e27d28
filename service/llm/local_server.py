"""An in-process llama.cpp server (xllamacpp) speaking the OpenAI HTTP API on 127.0.0.1.

Serving over HTTP rather than calling llama.cpp directly lets the local model and any remote
OpenAI-compatible server share one client path (``ChatOpenAI``), including streaming.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from types import TracebackType

import httpx
import xllamacpp

from service.llm.free_cores import free_cores

log = logging.getLogger("newsqa.llm")


class LocalServerError(RuntimeError):
    """The local llama.cpp server did not come up."""


class LocalLlamaServer:
    """Loads a GGUF model and serves it until ``close()``; usable as a context manager."""

    def __init__(self, model_path: Path, *, alias: str, n_ctx: int = 4096, n_parallel: int = 1,
                 threads: int | None = None, startup_timeout_s: float = 120.0) -> None:
        """Start serving; returns once the server answers ``/health``.

        ``n_ctx`` is shared by the ``n_parallel`` slots; ``threads`` defaults to the free cores.
        Port 0 lets the OS pick a free port, so concurrent services and tests never collide.
        """
        self.alias = alias
        self.threads = threads or free_cores()
        log.info("local model %s: %d llama.cpp thread(s)", alias, self.threads)
        try:
            self._server: xllamacpp.Server | None = xllamacpp.Server(
                _params(model_path, alias, n_ctx, n_parallel, self.threads))
        except RuntimeError as exc:  # xllamacpp's message does not name the model
            raise LocalServerError(f"llama.cpp could not load {model_path} ({exc}); its log "
                                   f"on stderr says why") from exc
        self.base_url: str = self._server.listening_address
        try:
            _wait_healthy(self.base_url, startup_timeout_s)
        except LocalServerError:
            self.close()
            raise

    def close(self) -> None:
        """Stop serving and free the model memory (dropping the last reference does both)."""
        self._server = None

    def __enter__(self) -> LocalLlamaServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _params(model_path: Path, alias: str, n_ctx: int, n_parallel: int,
            threads: int) -> xllamacpp.CommonParams:
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.model_alias = {alias}
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    params.n_ctx = n_ctx
    params.n_parallel = n_parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.verbosity = -1
    return params


def _wait_healthy(base_url: str, timeout_s: float) -> None:
    """Poll ``/health``: it answers 503 while the model loads and 200 once it can serve."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{base_url}/health", timeout=2.0)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.TransportError as exc:
            last = repr(exc)
        time.sleep(0.2)
    raise LocalServerError(f"llama.cpp server at {base_url} not healthy after {timeout_s:.0f} s "
                           f"({last})")

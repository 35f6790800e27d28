"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Mapping, Sequence

import httpx
import psutil

from eval.metrics import percentile, rounded
from service.settings import PROJECT_ROOT

RTQA_DEV = PROJECT_ROOT.parent / "shared" / "bench" / "rtqa-dev"
RESULTS_DIR = PROJECT_ROOT / "bench-results"
# Loading the models (and a first ingest of a small corpus) fits well inside this.
SERVER_START_TIMEOUT_S = 600


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_results(name: str, results: dict[str, object], out: Path | None = None) -> Path:
    path = out or RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    return path


def latency_summary(values: Sequence[float], percentiles: Sequence[int] = (50, 95)) -> dict[str, float | None]:
    """The eval's percentiles, rounded for reports, with the sample size so that a p99 of
    ten requests is read for what it is."""
    summary: dict[str, float | None] = {f"p{q}": rounded(percentile(values, q), 2) for q in percentiles}
    summary["n"] = len(values)
    return summary


def free_port() -> int:
    """A loopback port nothing listens on right now, so two benchmark runs never collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path, backend: str, port: int, *, env: Mapping[str, str] | None = None,
                 serve_args: Sequence[str] = (), log: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    """``newsqa serve`` on 127.0.0.1 as a child process, returned once ``/readyz`` says the
    stores and models are up, so that no start-up cost leaks into the figures."""
    child_env = {**os.environ, "NEWSQA_DATA_DIR": str(data_dir), "NEWSQA_LLM_BACKEND": backend, **(env or {})}
    output = log if log is not None else subprocess.DEVNULL
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1",
                               "--port", str(port), *serve_args],
                              env=child_env, cwd=PROJECT_ROOT, stdout=output, stderr=output)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"the server did not become ready in {SERVER_START_TIMEOUT_S} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Asks the server to shut down cleanly, and kills it when it does not within 30 s."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class RssMonitor:
    """Samples another process's resident memory in the background: the peak says what a
    machine must hold, the series says whether memory keeps growing under steady load."""

    def __init__(self, pid: int, interval_s: float = 0.2) -> None:
        self._process = psutil.Process(pid)
        self._interval_s = interval_s
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def peak_mb(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)

    def sample(self) -> None:
        """Records ``(time.monotonic(), MB)`` now; a vanished process records nothing."""
        try:
            self.samples.append((time.monotonic(), self._process.memory_info().rss / 2**20))
        except psutil.Error:
            self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self._interval_s)

    def __enter__(self) -> "RssMonitor":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

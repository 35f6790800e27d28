"""Serving processes on embedded Chroma files: one per data dir. A second ``newsqa serve``
is refused with the first one's address, a second uvicorn worker stops the service instead
of serving from a view of the files that misses the other's writes, and a service waits for
an ingest that holds the data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from eval.bench.common import free_port
from service.data_dir_claim import HOLDER_NAME
from tests.servers import ApiProcess, wait_until

HOLD = ("import sys, time\nfrom pathlib import Path\nfrom service.data_dir_claim import Claim\n"
        "claim = Claim.take(Path(sys.argv[1]))\nprint('held', flush=True)\ntime.sleep(600)\n")


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "NEWSQA_DATA_DIR": str(data_dir), "NEWSQA_LLM_BACKEND": "extractive"}


def test_a_second_service_on_the_data_dir_is_refused_with_the_first_ones_address(tmp_path: Path) -> None:
    env = _env(tmp_path / "data")
    first = ApiProcess(env).wait_ready()
    try:
        second = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--port", str(free_port())],
                                env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert f"is already served by newsqa serve (pid {first.process.pid}) at {first.url}" in second.stderr
        assert httpx.get(f"{first.url}/readyz", timeout=10).status_code == 200
    finally:
        first.stop()


def test_two_uvicorn_workers_on_embedded_files_stop_with_the_reason(tmp_path: Path) -> None:
    uvicorn = Path(sys.executable).with_name("uvicorn")
    done = subprocess.run([str(uvicorn), "--factory", "service.app:create_app_from_settings",
                           "--workers", "2", "--port", str(free_port())],
                          env=_env(tmp_path / "data"), capture_output=True, text=True, timeout=300)
    assert "several workers need Chroma as a server (NEWSQA_CHROMA_MODE=server)" in done.stderr
    assert "failed to start, stopping the parent process" in done.stderr


def test_the_service_waits_for_an_ingest_that_holds_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(data)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    server = ApiProcess(_env(data))
    try:
        waiting = f"waiting for another newsqa process to finish with {data}"
        wait_until(lambda: waiting in server.log(), "the service's wait", timeout_s=120)
        try:
            httpx.get(f"{server.url}/readyz", timeout=2)
            raise AssertionError("the service listened while another process held its data dir")
        except httpx.TransportError:
            pass
        holder.kill()
        holder.wait()
        server.wait_ready()
        assert (data / HOLDER_NAME).exists()
    finally:
        holder.kill()
        server.stop()

"""Real servers for the tests that need processes: ``newsqa serve`` itself, and for the
scale-out mode ``chroma run`` and a throwaway PostgreSQL cluster, each on a free loopback
port, started and stopped by the tests."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable

import httpx

from eval.bench.common import free_port


def wait_until(ready: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not become ready in {timeout_s:.0f} s")


class ChromaServer:
    """``chroma run`` on its own data folder; can be stopped hard and started again on the
    same folder and port, as an operator restarting it would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> "ChromaServer":
        chroma = Path(sys.executable).with_name("chroma")
        self._process = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
             "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._alive, "chroma run")
        return self

    def _alive(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {self._process.returncode}")
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).is_success
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def _postgres_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} not found: install the postgresql package "
                           "(`make test` does)")
    return found


class PostgresServer:
    """A private cluster in a temporary folder. PostgreSQL refuses to run as root, so under
    root (CI) the cluster belongs to the ``postgres`` system user."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="newsqa-pg-"))
        self.port = free_port()
        self._user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        subprocess.run(list(args), check=True, user=self._user, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def start(self) -> "PostgresServer":
        if self._user:
            shutil.chown(self.dir, self._user)
        self._run(_postgres_bin("initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                  "-U", "newsqa", "--no-sync", "-E", "UTF8")
        self.resume()
        return self

    def resume(self) -> None:
        """Start the cluster (again, after :meth:`halt`) on the same port and data."""
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
                   " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.dir / "data"), "-o", options, "-l",
                  str(self.dir / "log"), "-w", "start")

    def halt(self) -> None:
        """Stop at once, dropping every connection, as a crash would. The cluster runs with
        ``synchronous_commit=off`` for speed, so commits of the last fraction of a second
        would be lost where a real server keeps them; a checkpoint first writes them out
        (without it, a fast machine lost the article a test had just ingested)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute("CHECKPOINT")
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://newsqa@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database, so each test starts from nothing."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.dir, ignore_errors=True)


class ApiProcess:
    """``newsqa serve`` as its own process; its log goes to a file (a pipe nobody reads
    would fill up and stall the server) and is shown when it fails to start."""

    def __init__(self, env: dict[str, str], *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port), *extra],
            env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> "ApiProcess":
        wait_until(self._ready, "newsqa serve", timeout_s=120)
        return self

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(self.log())
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

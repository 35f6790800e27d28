"""Which process holds a data dir: the one that may open its embedded Chroma files.

Embedded Chroma keeps state about its files in the memory of the process that opened them;
after a second process writes them, the first one fails its reads (``InternalError``) until
it restarts. So every process that opens them (``newsqa serve``, a worker process, ``newsqa
ingest``, ``newsqa docs delete``) first takes an exclusive lock on ``<data dir>/newsqa.lock``
and then says who it is in ``<data dir>/newsqa-holder.json``: its pid, its role and, for
``newsqa serve``, the URL it serves and a token for this run, so that a command can hand its
writes to the service instead of opening the files itself.

The lock is the kernel's (``flock``): it ends with its process, even under ``kill -9``, so a
holder file whose lock is free is stale whatever its pid says, and is removed by the next
process that takes the lock. The holder file is readable by its owner only (0600): its token
grants the admin scope, which anyone who can write the data dir has anyway.
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Literal

LOCK_NAME = "newsqa.lock"
HOLDER_NAME = "newsqa-holder.json"
POLL_S = 0.2

Role = Literal["serve", "worker", "ingest", "delete", "collections"]
SERVICE_ROLES: tuple[Role, ...] = ("serve", "worker")
COMMANDS: dict[Role, str] = {"serve": "newsqa serve", "worker": "a service process",
                             "ingest": "newsqa ingest", "delete": "newsqa docs delete",
                             "collections": "newsqa collections"}


@dataclass(frozen=True)
class Holder:
    """Who holds a data dir. A ``worker`` was started by uvicorn itself, which does not
    tell its app the address it listens on, so it has no ``url``."""

    pid: int
    role: Role
    url: str | None = None
    token: str | None = None

    def describe(self) -> str:
        where = f" at {self.url}" if self.url else ""
        return f"{COMMANDS[self.role]} (pid {self.pid}){where}"


class DataDirBusy(RuntimeError):
    """Another process holds the data dir and this one cannot wait for it; the message says
    what to do."""


class Claim:
    """The lock on one data dir, held until :meth:`release` or the end of the process."""

    def __init__(self, data_dir: Path, fd: int) -> None:
        self.data_dir = data_dir
        self._fd = fd

    @classmethod
    def take(cls, data_dir: Path) -> Claim | None:
        """The lock if no other process holds it, else None; never waits."""
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        (data_dir / HOLDER_NAME).unlink(missing_ok=True)  # a dead holder's, whatever its pid
        return cls(data_dir, fd)

    def publish(self, holder: Holder) -> None:
        """Written under another name and renamed, so a reader never sees half a file."""
        temporary = self.data_dir / f".{HOLDER_NAME}.{os.getpid()}"
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({k: v for k, v in asdict(holder).items() if v is not None}, out)
        os.replace(temporary, self.data_dir / HOLDER_NAME)

    def release(self) -> None:
        if self._fd < 0:
            return
        (self.data_dir / HOLDER_NAME).unlink(missing_ok=True)
        os.close(self._fd)  # closing the only descriptor releases the lock
        self._fd = -1


def current_holder(data_dir: Path) -> Holder | None:
    """The published holder, or None when there is none yet or it names a dead process."""
    try:
        raw = json.loads((data_dir / HOLDER_NAME).read_text(encoding="utf-8"))
        holder = Holder(pid=int(raw["pid"]), role=raw["role"], url=raw.get("url"),
                        token=raw.get("token"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return holder if holder.role in COMMANDS and _alive(holder.pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def take_or_find_service(data_dir: Path, on_wait: Callable[[str], None]) -> Claim | Holder:
    """The claim once the data dir is free, or the service that holds it. Another ingest
    or delete ends soon, so this waits for it (saying so once through ``on_wait``), as it
    waits for a holder that has not said who it is yet."""
    waiting = False
    while True:
        claim = Claim.take(data_dir)
        if claim is not None:
            return claim
        holder = current_holder(data_dir)
        if holder is not None and holder.role in SERVICE_ROLES:
            return holder
        if not waiting:
            who = holder.describe() if holder else "another newsqa process"
            on_wait(f"waiting for {who} to finish with {data_dir} ...")
            waiting = True
        time.sleep(POLL_S)


def claim_for_service(data_dir: Path, on_wait: Callable[[str], None]) -> Claim:
    """The claim of a service process; DataDirBusy when another service holds the dir."""
    found = take_or_find_service(data_dir, on_wait)
    if isinstance(found, Claim):
        return found
    if found.role == "worker":
        raise DataDirBusy(
            f"{data_dir} is already served by another worker process (pid {found.pid}): "
            "each process that opens embedded Chroma files keeps its own view of them and "
            "would not see the others' writes, so several workers need Chroma as a server "
            "(NEWSQA_CHROMA_MODE=server); with the embedded files, serve one worker")
    raise DataDirBusy(
        f"{data_dir} is already served by {found.describe()}: embedded Chroma files belong to "
        "one process, so stop that service first, serve another NEWSQA_DATA_DIR, or run Chroma "
        "as a server (NEWSQA_CHROMA_MODE=server) for several processes")


def local_url(host: str, port: int) -> str:
    """Where a client on this machine reaches a server bound to ``host``."""
    bare = host.strip().strip("[]")
    bare = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(bare, bare)
    try:
        if ipaddress.ip_address(bare).version == 6:
            bare = f"[{bare}]"
    except ValueError:
        pass  # a host name
    return f"http://{bare}:{port}"

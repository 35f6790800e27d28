"""One database connection per thread, all closable at once.

Neither driver lets threads share a connection safely, and the service answers from a
thread pool; keeping every connection in a list lets ``close`` release them all instead of
only the calling thread's.
"""

from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

C = TypeVar("C")


class ThreadConnections(Generic[C]):
    def __init__(self, connect: Callable[[], C], is_usable: Callable[[C], bool]) -> None:
        self._connect = connect
        self._is_usable = is_usable
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[C] = []

    def get(self) -> C:
        """This thread's connection; a new one when there is none or the server dropped it,
        so the service recovers by itself after a database restart."""
        conn: C | None = getattr(self._local, "conn", None)
        if conn is None or not self._is_usable(conn):
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._open.append(conn)
        return conn

    def close_all(self) -> None:
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            conn.close()  # type: ignore[attr-defined]
        self._local = threading.local()

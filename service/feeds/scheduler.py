"""The background loop of a serving process: every tick, poll the feeds that are due.

Polls run one after another on one thread, so a process never polls a feed twice at once;
the catalog lease keeps other processes and hosts off a feed this one is polling. A failure
of the catalog itself (a database restart) is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ingest.store.feed_leases import FeedLeases
from ingest.store.feeds import FeedStore
from service.feeds.poller import FeedPoller

log = logging.getLogger("newsqa.feeds")


class FeedScheduler:
    def __init__(self, store: FeedStore, leases: FeedLeases, poller: FeedPoller, *,
                 lease_s: float, tick_s: float, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._leases = leases
        self._poller = poller
        self._lease_s = lease_s
        self._tick_s = tick_s
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> int:
        """Poll every due feed whose lease this process wins; how many it polled."""
        polled = 0
        for listed in self._store.due(self._clock()):
            if not self._leases.acquire(listed.feed_id, self._clock(), self._lease_s):
                continue
            try:
                # Read again under the lease: another poller may have polled it since the
                # listing, and its validators are the ones to send.
                feed = self._store.get(listed.feed_id)
                if feed is None or feed.next_poll_at > self._clock():
                    continue
                outcome = self._poller.poll(feed, renew=lambda: self._renew(listed.feed_id))
                log.info("feed %s polled: %s (%d added, %d updated)", feed.feed_id, outcome.status,
                         len(outcome.added), len(outcome.updated))
                polled += 1
            finally:
                self._leases.release(listed.feed_id)
        return polled

    def _renew(self, feed_id: str) -> None:
        self._leases.acquire(feed_id, self._clock(), self._lease_s)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="feeds", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ends the loop after the poll in progress, if any."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_due()
            except Exception:  # noqa: BLE001 - a store outage must not end polling for good
                log.exception("feed polling failed; retrying in %.0f s", self._tick_s)
            self._stop.wait(self._tick_s)

"""Several pollers on one catalog (threads here, processes and hosts in production): each
due feed is polled by exactly one of them, and the loop survives a failing store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Iterator

import pytest

from ingest.store.catalog import Catalog
from ingest.store.feed_leases import FeedLeases
from ingest.store.feeds import Feed, FeedStore, PollRecord
from ingest.store.postgres_catalog import PostgresCatalog
from ingest.store.sqlite_catalog import SqliteCatalog
from service.feeds.poller import PollOutcome
from service.feeds.scheduler import FeedScheduler
from tests.servers import PostgresServer

ISO = "2025-06-15T15:06:40+00:00"


class SlowPoller:
    """Stands in for the real poller: records who polled what, slowly enough to overlap."""

    def __init__(self, name: str, polls: list[tuple[str, str]], lock: threading.Lock,
                 store: FeedStore | None = None) -> None:
        self._name, self._polls, self._lock, self._store = name, polls, lock, store

    def poll(self, feed: Feed, renew: Callable[[], None] = lambda: None) -> PollOutcome:
        with self._lock:
            self._polls.append((self._name, feed.feed_id))
        time.sleep(0.3)
        renew()
        if self._store is not None:  # as the real poller does: the next poll is due later
            self._store.record(feed.feed_id, PollRecord("unchanged", ISO, time.time() + 900, 0))
        return PollOutcome("unchanged")


@pytest.fixture(params=["sqlite", "postgres"])
def open_catalog(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Callable[[], Catalog]]:
    """Opens another connection set to one shared catalog, as another worker would."""
    opened: list[Catalog] = []
    if request.param == "sqlite":
        path = tmp_path / "catalog.sqlite3"  # type: ignore[operator]

        def make() -> Catalog:
            return SqliteCatalog(path)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.new_database()

        def make() -> Catalog:
            return PostgresCatalog(url)

    def tracked() -> Catalog:
        catalog = make()
        opened.append(catalog)
        return catalog

    yield tracked
    for catalog in opened:
        catalog.close()


def test_two_pollers_on_one_catalog_poll_each_feed_once(open_catalog: Callable[[], Catalog]) -> None:
    now = time.time()
    store = FeedStore(open_catalog())
    ids = {store.add(f"https://harbor.example/{n}.xml", 900, None, now - 1, ISO)[0].feed_id for n in range(4)}
    polls: list[tuple[str, str]] = []
    lock = threading.Lock()
    schedulers = []
    for name, delay in (("a", 0.0), ("b", 0.35)):
        catalog = open_catalog()
        schedulers.append((FeedScheduler(FeedStore(catalog), FeedLeases(catalog, name),
                                         SlowPoller(name, polls, lock, FeedStore(catalog)),  # type: ignore[arg-type]
                                         lease_s=60, tick_s=0.05), delay))
    # b lists the due feeds while a holds the first and reaches it after a has polled it.
    threads = [threading.Thread(target=lambda s=s, d=d: (time.sleep(d), s.run_due())) for s, d in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(feed for _, feed in polls) == sorted(ids)  # each feed once, none twice
    row = store.get(next(iter(ids)))
    assert row is not None
    assert FeedLeases(open_catalog(), "c").acquire(row.feed_id, now, 60)  # leases released


def test_the_loop_polls_a_feed_added_while_it_runs_and_outlives_store_errors(
        open_catalog: Callable[[], Catalog], monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = open_catalog()
    store = FeedStore(catalog)
    polls: list[tuple[str, str]] = []
    scheduler = FeedScheduler(store, FeedLeases(catalog, "a"), SlowPoller("a", polls, threading.Lock()),  # type: ignore[arg-type]
                              lease_s=60, tick_s=0.05)
    real_due = store.due
    failures = {"left": 2}

    def flaky_due(now: float) -> list[Feed]:
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("catalog restarting")
        return real_due(now)

    monkeypatch.setattr(store, "due", flaky_due)
    scheduler.start()
    try:
        feed, _ = FeedStore(open_catalog()).add("https://harbor.example/late.xml", 900, None, time.time(), ISO)
        deadline = time.monotonic() + 10
        while not polls and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert polls[:1] == [("a", feed.feed_id)] and failures["left"] == 0


def test_a_poller_with_a_stale_listing_leaves_feeds_polled_since(
        open_catalog: Callable[[], Catalog], monkeypatch: pytest.MonkeyPatch) -> None:
    now = time.time()
    catalog_a, catalog_b = open_catalog(), open_catalog()
    store_a, store_b = FeedStore(catalog_a), FeedStore(catalog_b)
    for n in range(2):
        store_a.add(f"https://harbor.example/{n}.xml", 900, None, now - 1, ISO)
    stale = store_b.due(time.time())
    monkeypatch.setattr(store_b, "due", lambda now: stale)
    polls: list[tuple[str, str]] = []
    lock = threading.Lock()
    for name, catalog, store in (("a", catalog_a, store_a), ("b", catalog_b, store_b)):
        FeedScheduler(store, FeedLeases(catalog, name), SlowPoller(name, polls, lock, store),  # type: ignore[arg-type]
                      lease_s=60, tick_s=0.05).run_due()
    assert [name for name, _ in polls] == ["a", "a"]

"""The feeds table and its leases, on SQLite and on PostgreSQL (``store_mode``)."""

from __future__ import annotations

import threading

from ingest.store.feed_leases import FeedLeases
from ingest.store.feeds import FeedStore, PollRecord, feed_id_for
from service.assembly import Components

NOW = 1_750_000_000.0
ISO = "2025-06-15T15:06:40+00:00"


def test_adding_an_address_twice_updates_it_and_removing_keeps_nothing(components: Components) -> None:
    store = components.feed_store
    feed, created = store.add("https://Harbor.example/rss/", 900, None, NOW, ISO)
    assert created and feed.feed_id == feed_id_for("https://harbor.example/rss")
    again, created = store.add("https://harbor.example/rss", 300, "Harbor Ledger", NOW + 5, ISO)
    assert not created and (again.every_s, again.source, again.added_at) == (300, "Harbor Ledger", ISO)
    assert [f.feed_id for f in store.list()] == [feed.feed_id]
    store.record(feed.feed_id, PollRecord("new", ISO, NOW + 300, 0, added=2, etag='"a"'), {"e1": "f1"})
    assert store.seen_entries(feed.feed_id) == {"e1": "f1"}
    assert store.remove(feed.feed_id) and not store.remove(feed.feed_id)
    assert store.get(feed.feed_id) is None and store.seen_entries(feed.feed_id) == {}


def test_a_failed_poll_keeps_the_validators_and_the_last_new_article(components: Components) -> None:
    store = components.feed_store
    feed, _ = store.add("https://harbor.example/rss", 900, None, NOW, ISO)
    store.record(feed.feed_id, PollRecord("new", "2025-06-15T15:00:00+00:00", NOW + 900, 0, added=1,
                                          etag='"a"', last_modified="Sun, 15 Jun 2025 15:00:00 GMT"))
    store.record(feed.feed_id, PollRecord("error", ISO, NOW + 1800, 1, error="HTTP 500"))
    after = store.get(feed.feed_id)
    assert after is not None
    assert (after.etag, after.last_modified) == ('"a"', "Sun, 15 Jun 2025 15:00:00 GMT")
    assert (after.last_new_at, after.last_fetch_at) == ("2025-06-15T15:00:00+00:00", ISO)
    assert (after.failures, after.last_error, after.articles_added) == (1, "HTTP 500", 1)
    assert store.due(NOW + 1799) == [] and [f.feed_id for f in store.due(NOW + 1800)] == [feed.feed_id]


def test_one_lease_holder_at_a_time_until_it_expires_or_is_released(components: Components) -> None:
    feed, _ = components.feed_store.add("https://harbor.example/rss", 900, None, NOW, ISO)
    first, second = FeedLeases(components.catalog, "host-a:1"), FeedLeases(components.catalog, "host-b:2")
    assert first.acquire(feed.feed_id, NOW, 60)
    assert not second.acquire(feed.feed_id, NOW + 1, 60)
    assert components.feed_store.due(NOW + 1) == []  # a held feed is nobody else's to poll
    assert first.acquire(feed.feed_id, NOW + 30, 60)  # the holder extends its own lease
    assert not second.acquire(feed.feed_id, NOW + 61, 60)
    assert second.acquire(feed.feed_id, NOW + 91, 60)  # expired: a dead holder blocks no one for long
    second.release(feed.feed_id)
    first.release(feed.feed_id)  # not the holder any more: changes nothing
    assert first.acquire(feed.feed_id, NOW + 92, 60)


def test_racing_pollers_on_separate_connections_get_one_lease(components: Components) -> None:
    feed, _ = components.feed_store.add("https://harbor.example/rss", 900, None, NOW, ISO)
    racers = [FeedLeases(components.catalog, f"worker-{n}") for n in range(6)]
    start = threading.Barrier(len(racers))
    won: list[str] = []

    def race(leases: FeedLeases) -> None:
        start.wait()
        if leases.acquire(feed.feed_id, NOW, 60):
            won.append(leases.owner)

    threads = [threading.Thread(target=race, args=(r,)) for r in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1


def test_the_feeds_tables_survive_reopening_the_catalog(components: Components) -> None:
    feed, _ = components.feed_store.add("https://harbor.example/rss", 900, None, NOW, ISO)
    assert FeedStore(components.catalog).get(feed.feed_id) == feed

"""Polls of a feed that a local server changes between them, into a real index."""

from __future__ import annotations

import pytest

from ingest.feeds.entries import EntryCompleter
from ingest.feeds.fetcher import FeedFetcher
from ingest.loaders.url import load_url
from ingest.store.feeds import Feed
from service.assembly import Components
from service.feeds.poller import FeedPoller, backoff_s
from tests.feed_server import Entry, FeedSite, Page

NOW = 1_750_000_000.0
EVERY = 600
TIMEOUT_S = 0.5
MAX_BYTES = 64 * 1024
FERRY = Entry("ferry-1", "Ferry fares frozen", text="Harbor City's ferry fares stay at $3 until 2027.")
DOCK = Entry("dock-2", "Dock strike ends", summary="Dock workers are back.", link="/news/dock")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def poller(components: Components, clock: Clock) -> FeedPoller:
    completer = EntryCompleter(lambda url: load_url(url, timeout_s=TIMEOUT_S, max_bytes=MAX_BYTES,
                                                    user_agent="newsqa-test"))
    return FeedPoller(FeedFetcher(timeout_s=TIMEOUT_S, max_bytes=MAX_BYTES, user_agent="newsqa-test"),
                      completer, lambda name: components.corpus(name).indexer, components.feed_store, components.metrics,
                      backoff_max_s=4 * EVERY, clock=clock)


def _feed(components: Components, url: str, source: str | None = None) -> Feed:
    feed, _ = components.feed_store.add(url, EVERY, source, NOW, "2025-06-02T09:00:00+00:00")
    return feed


def _poll(poller: FeedPoller, components: Components, feed_id: str) -> tuple[str, Feed]:
    feed = components.feed_store.get(feed_id)
    assert feed is not None
    outcome = poller.poll(feed)
    after = components.feed_store.get(feed_id)
    assert after is not None
    return outcome.status, after


def _dock(site: FeedSite, feed_base: str) -> Entry:
    site.set_html("/news/dock", "Dock strike ends", [
        "Dock workers at Harbor City returned on Monday after a nine-day strike.",
        "The union accepted a 6% pay rise over two years."])
    return Entry(DOCK.guid, DOCK.title, summary=DOCK.summary, link=f"{feed_base}/news/dock")


def test_new_then_seen_then_edited_entries_never_duplicate(
        components: Components, poller: FeedPoller, site: FeedSite, feed_base: str) -> None:
    dock = _dock(site, feed_base)
    site.set_feed("/rss", [FERRY, dock])
    feed = _feed(components, f"{feed_base}/rss", source="Harbor Ledger")
    status, after = _poll(poller, components, feed.feed_id)
    assert status == "new" and after.articles_added == 2 and after.failures == 0
    assert after.last_new_at == after.last_fetch_at and after.next_poll_at == NOW + EVERY
    page_text = components.catalog.get("dock-2").text
    assert "nine-day strike" in page_text and "Home | World" not in page_text
    assert components.catalog.get("dock-2").source == "Harbor Ledger"
    assert components.catalog.get("ferry-1").published == "2025-06-02"
    assert components.catalog.get("ferry-1").date_source == "metadata"

    pages = site.paths().count("/news/dock")
    status, after = _poll(poller, components, feed.feed_id)
    assert status == "unchanged" and after.articles_added == 2
    assert site.paths().count("/news/dock") == pages  # a seen entry costs no page download

    edited = Entry(FERRY.guid, FERRY.title, text="Harbor City's ferry fares stay at $3 until 2028.")
    site.set_feed("/rss", [edited, dock, Entry("rail-3", "Rail fares rise", text="Rail fares rise 3% in January.")])
    status, after = _poll(poller, components, feed.feed_id)
    assert status == "new" and (after.articles_added, after.articles_updated) == (3, 1)
    assert "2028" in components.catalog.get("ferry-1").text
    assert components.catalog.count() == 3
    assert components.corpus().vectors.count() == sum(d.n_chunks for d in components.catalog.list())
    exposition = components.metrics.exposition().decode()
    assert f'newsqa_feed_polls_total{{feed="{feed.feed_id}",outcome="new"}} 2.0' in exposition
    assert f'newsqa_feed_articles_total{{feed="{feed.feed_id}",outcome="updated"}} 1.0' in exposition


def test_a_304_costs_no_parsing_or_embedding(components: Components, poller: FeedPoller, site: FeedSite,
                                              feed_base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    site.set_feed("/rss", [FERRY], etag='"v1"')
    feed = _feed(components, f"{feed_base}/rss")
    assert _poll(poller, components, feed.feed_id)[1].etag == '"v1"'

    def no_ingest(*args: object, **kwargs: object) -> None:
        raise AssertionError("a 304 must not reach the indexer")

    monkeypatch.setattr(components.corpus().indexer, "ingest", no_ingest)
    status, after = _poll(poller, components, feed.feed_id)
    assert status == "not_modified" and after.last_status == "not_modified"
    assert site.requests[-1] == ("/rss", '"v1"', None)
    assert after.etag == '"v1"' and after.articles_added == 1


def test_a_feed_without_an_etag_is_asked_if_modified_since(
        components: Components, poller: FeedPoller, site: FeedSite, feed_base: str) -> None:
    stamp = "Mon, 02 Jun 2025 09:00:00 GMT"
    site.set_feed("/rss", [FERRY], last_modified=stamp)
    feed = _feed(components, f"{feed_base}/rss")
    assert _poll(poller, components, feed.feed_id)[1].last_modified == stamp
    assert _poll(poller, components, feed.feed_id)[0] == "not_modified"
    assert site.requests[-1] == ("/rss", None, stamp)


@pytest.mark.parametrize("page, reason", [
    (Page(status=500, body=b"oops"), "HTTP 500"),
    (Page(body=b"<rss>" + b"x" * (2 * MAX_BYTES)), "over the 64 KB limit"),
    (Page(body=b"<rss><channel><title>x</title>", delay_s=3 * TIMEOUT_S), "timed out"),
    (Page(body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item>'
               b"<title>Half</title><description>cut off"), "not well-formed XML"),
])
def test_a_failing_poll_backs_off_keeps_the_articles_and_recovers(
        components: Components, poller: FeedPoller, site: FeedSite, feed_base: str, clock: Clock,
        page: Page, reason: str) -> None:
    site.set_feed("/rss", [FERRY])
    feed = _feed(components, f"{feed_base}/rss")
    _poll(poller, components, feed.feed_id)
    good = site.pages["/rss"]
    site.pages["/rss"] = page
    for failures in (1, 2, 3):
        status, after = _poll(poller, components, feed.feed_id)
        assert status == "error" and reason in (after.last_error or "")
        assert after.failures == failures
        assert after.next_poll_at == NOW + min(EVERY * 2 ** failures, 4 * EVERY)
    assert components.catalog.get("ferry-1").text.endswith("until 2027.")
    site.pages["/rss"] = good
    status, after = _poll(poller, components, feed.feed_id)
    assert status == "unchanged" and after.failures == 0 and after.last_error is None
    assert after.next_poll_at == NOW + EVERY and components.catalog.count() == 1


def test_an_unreadable_page_leaves_the_summary_until_the_next_poll_reads_it(
        components: Components, poller: FeedPoller, site: FeedSite, feed_base: str) -> None:
    dock = Entry(DOCK.guid, DOCK.title, summary=DOCK.summary, link=f"{feed_base}/news/dock")
    site.set_feed("/rss", [dock])
    feed = _feed(components, f"{feed_base}/rss")
    assert _poll(poller, components, feed.feed_id)[0] == "new"
    assert components.catalog.get("dock-2").text == "Dock workers are back."
    _dock(site, feed_base)
    status, after = _poll(poller, components, feed.feed_id)
    assert status == "new" and after.articles_updated == 1
    assert "nine-day strike" in components.catalog.get("dock-2").text


def test_a_poll_killed_mid_ingest_loses_and_duplicates_nothing(
        components: Components, poller: FeedPoller, site: FeedSite, feed_base: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    site.set_feed("/rss", [FERRY, Entry("rail-3", "Rail fares rise", text="Rail fares rise 3% in January.")],
                  etag='"v1"')
    feed = _feed(components, f"{feed_base}/rss")
    real_put = components.catalog.put
    calls = {"n": 0}

    def put_then_die(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")  # not an Exception: nothing after it runs, as with kill -9
        real_put(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(components.catalog, "put", put_then_die)
    with pytest.raises(SystemExit):
        _poll(poller, components, feed.feed_id)
    monkeypatch.setattr(components.catalog, "put", real_put)
    stored = components.feed_store.get(feed.feed_id)
    assert stored is not None and stored.etag is None and stored.last_status is None
    status, after = _poll(poller, components, feed.feed_id)
    assert status == "new" and components.catalog.count() == 2
    assert components.corpus().vectors.count() == sum(d.n_chunks for d in components.catalog.list())


def test_backoff_doubles_from_twice_the_interval_up_to_the_ceiling() -> None:
    assert [backoff_s(60, n, 300) for n in range(5)] == [60, 120, 240, 300, 300]
    assert backoff_s(600, 1, 300) == 600  # a ceiling below the interval never polls faster


def test_a_feed_fills_only_its_own_collection(
        components: Components, poller: FeedPoller, site: FeedSite, feed_base: str) -> None:
    """The same address watched for two collections is two feeds, each polled into its own;
    deleting a collection ends its feeds and leaves the other's."""
    components.corpora.create("wire")
    site.set_feed("/rss", [FERRY])
    ours, _ = components.feed_store.add(f"{feed_base}/rss", EVERY, None, NOW, "2025-06-02T09:00:00+00:00", "wire")
    assert ours.feed_id != _feed(components, f"{feed_base}/rss").feed_id
    status, after = _poll(poller, components, ours.feed_id)
    assert status == "new" and after.collection == "wire"
    assert components.corpus("wire").catalog.get("ferry-1") is not None
    assert components.catalog.get("ferry-1") is None
    components.corpora.delete("wire")
    assert [f.collection for f in components.feed_store.list()] == ["default"]

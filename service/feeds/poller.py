"""One poll of one feed: fetch (conditionally), read the entries that are new or edited,
ingest them through the same idempotent indexer as every other source, and record what
happened on the feed's row.

Errors back off exponentially: each failure in a row doubles the wait (from twice the
feed's interval up to ``backoff_max_s``), and the first success returns to the interval.
A feed that keeps failing is still polled, so it recovers by itself once its server does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from ingest.article import Article, LoadError
from ingest.feeds.entries import EntryCompleter, fingerprint, parse_entries
from ingest.feeds.fetcher import FeedFetcher
from ingest.loaders.url import NOT_MODIFIED
from ingest.pipeline import Indexer
from ingest.store.feeds import Feed, FeedStore, PollRecord
from service.observability.metrics import Metrics

Status = Literal["new", "unchanged", "not_modified", "error"]


@dataclass(frozen=True)
class PollOutcome:
    status: Status
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    error: str | None = None


def backoff_s(every_s: int, failures: int, ceiling_s: float) -> float:
    """Wait before the next poll after ``failures`` failed polls in a row."""
    if failures <= 0:
        return float(every_s)
    return min(every_s * 2.0 ** failures, max(ceiling_s, every_s))


class FeedPoller:
    def __init__(self, fetcher: FeedFetcher, completer: EntryCompleter, indexer_for: Callable[[str], Indexer],
                 store: FeedStore, metrics: Metrics, *, backoff_max_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        self._fetcher = fetcher
        self._completer = completer
        self._indexer_for = indexer_for  # a feed's articles go into its own collection
        self._store = store
        self._metrics = metrics
        self._backoff_max_s = backoff_max_s
        self._clock = clock

    def poll(self, feed: Feed, renew: Callable[[], None] = lambda: None) -> PollOutcome:
        """``renew`` is called before each slow step (a page download, the ingest), so that
        the poller's lease outlasts a long poll."""
        try:
            outcome, record, entries = self._poll(feed, renew)
        except LoadError as exc:
            outcome, record, entries = self._failed(feed, str(exc))
        except Exception as exc:  # noqa: BLE001 - one broken feed must back off, not spin
            outcome, record, entries = self._failed(feed, f"unexpected {type(exc).__name__}: {exc}")
        self._store.record(feed.feed_id, record, entries)
        self._metrics.observe_feed_poll(feed.feed_id, outcome.status, len(outcome.added), len(outcome.updated))
        return outcome

    def _poll(self, feed: Feed, renew: Callable[[], None]) -> tuple[PollOutcome, PollRecord, dict[str, str]]:
        fetched = self._fetcher.fetch(feed.url, feed.etag, feed.last_modified)
        if fetched.status == NOT_MODIFIED:
            return PollOutcome("not_modified"), self._record(feed, "not_modified", 0), {}
        seen = self._store.seen_entries(feed.feed_id)
        marked = [(entry, fingerprint(entry, feed.source)) for entry in parse_entries(fetched, feed.url)
                  if isinstance(entry, Article)]
        fresh = [(entry, mark) for entry, mark in marked if seen.get(entry.identity()) != mark]
        completed = []
        for entry, _ in fresh:
            renew()
            completed.append(self._completer.complete(entry, feed.source))
        renew()
        report = self._indexer_for(feed.collection).ingest(c.article for c in completed)
        indexed = {*report.added, *report.updated, *report.unchanged}
        entries = {entry.identity(): mark for (entry, mark), c in zip(fresh, completed)
                   if c.final and entry.identity() in indexed}
        status: Status = "new" if report.added or report.updated else "unchanged"
        errors = "; ".join(f"{f.origin}: {f.reason}" for f in report.failed) or None
        record = self._record(feed, status, 0, error=errors, added=len(report.added),
                              updated=len(report.updated), etag=fetched.etag,
                              last_modified=fetched.last_modified)
        return PollOutcome(status, report.added, report.updated, errors), record, entries

    def _failed(self, feed: Feed, reason: str) -> tuple[PollOutcome, PollRecord, dict[str, str]]:
        return PollOutcome("error", error=reason), self._record(feed, "error", feed.failures + 1, error=reason), {}

    def _record(self, feed: Feed, status: Status, failures: int, *, error: str | None = None,
                added: int = 0, updated: int = 0, etag: str | None = None,
                last_modified: str | None = None) -> PollRecord:
        now = self._clock()
        return PollRecord(
            status=status, fetched_at=datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds"),
            next_poll_at=now + backoff_s(feed.every_s, failures, self._backoff_max_s),
            failures=failures, error=error, added=added, updated=updated, etag=etag,
            last_modified=last_modified)

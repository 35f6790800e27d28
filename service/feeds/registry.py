"""Adding, listing and removing watched feeds: the one place the CLI and the API share, so
that both check an address and an interval the same way before anything is stored."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from typing import Collection

from ingest.feeds.spec import FeedSpecError, check_feed_url, parse_interval
from ingest.store.collection_registry import DEFAULT_COLLECTION
from ingest.store.feeds import Feed, FeedStore


class FeedRegistry:
    def __init__(self, store: FeedStore, *, default_every_s: int, least_every_s: int) -> None:
        self._store = store
        self._default_every_s = default_every_s
        self._least_every_s = least_every_s

    def add(self, url: str, every: str | None = None, source: str | None = None,
            collection: str = DEFAULT_COLLECTION) -> tuple[Feed, bool]:
        """The feed and whether it is new; raises ``FeedSpecError`` for a bad address or
        interval. A new feed is polled at the next tick of a serving process."""
        checked = check_feed_url(url)
        every_s = parse_interval(every, least_s=self._least_every_s) if every is not None else self._default_every_s
        name = source.strip() if source else None
        if source is not None and not name:
            raise FeedSpecError("the source name must not be empty")
        now = time.time()
        return self._store.add(checked, every_s, name, now,
                               datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds"),
                               collection)

    def get(self, feed_id: str) -> Feed | None:
        return self._store.get(feed_id)

    def list(self, collections: Collection[str] | None = None) -> list[Feed]:
        return self._store.list(collections)

    def remove(self, feed_id: str) -> bool:
        return self._store.remove(feed_id)

"""Conditional downloads of a watched feed.

A feed polled every few minutes is unchanged most of the time: sending back the ETag and
Last-Modified it last gave lets the server answer 304 with no body, and that poll then
costs no parsing and no embedding. Timeout and size cap are the URL loader's.
"""

from __future__ import annotations

from ingest.loaders.url import Fetched, fetch


class FeedFetcher:
    def __init__(self, *, timeout_s: float, max_bytes: int, user_agent: str) -> None:
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes
        self._user_agent = user_agent

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The feed's body, or a ``304`` ``Fetched`` without one; raises ``LoadError``."""
        headers = {name: value for name, value in (("If-None-Match", etag),
                                                   ("If-Modified-Since", last_modified)) if value}
        return fetch(url, timeout_s=self._timeout_s, max_bytes=self._max_bytes,
                     user_agent=self._user_agent, headers=headers)

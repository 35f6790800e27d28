"""The local feed site the feed tests rewrite between polls, served on a free port."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.feed_server import FeedSite, serve


@pytest.fixture
def site() -> FeedSite:
    return FeedSite()


@pytest.fixture
def feed_base(site: FeedSite) -> Iterator[str]:
    """The site's address while the test runs."""
    yield from serve(site)

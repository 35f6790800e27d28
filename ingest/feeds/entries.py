"""A polled feed's body as articles for the indexer.

Entries are compared with what the feed gave last time by a fingerprint of what the feed
says about them, so that an entry seen before costs no page download and no lookup in the
index, while an edited one (new text, title, link or date) is read again and updated.
Entries that carry only a summary, and news-sitemap entries that carry only a link, get
their text from the linked page through the HTML loader.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.feed import FEED_TEXT, parse_feed
from ingest.loaders.sitemap import is_sitemap, parse_news_sitemap
from ingest.loaders.url import Fetched

PageLoader = Callable[[str], Iterable[Article | LoadFailure]]


def parse_entries(fetched: Fetched, origin: str) -> list[Article | LoadFailure]:
    """Entries of an RSS/Atom feed or a news sitemap; raises ``LoadError`` for a body that
    is neither, or is not well-formed XML."""
    if is_sitemap(fetched.data):
        return list(parse_news_sitemap(fetched.data, origin))
    return list(parse_feed(fetched.data, origin, well_formed=True))


def fingerprint(entry: Article, source: str | None) -> str:
    """What the feed says about an entry (and the source it is filed under)."""
    fields = [entry.identity(), entry.title, entry.text, entry.url, entry.published,
              source or entry.source, entry.author]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Completed:
    """An entry ready for the indexer; ``final`` is False when its page could not be read
    and the summary stands in, so that the next poll tries the page again."""

    article: Article | LoadFailure
    final: bool


class EntryCompleter:
    def __init__(self, load_page: PageLoader) -> None:
        self._load_page = load_page

    def complete(self, entry: Article, source: str | None) -> Completed:
        """The entry under its own identity, filed under ``source`` (else the feed's
        title), its text from the linked page when the feed gave only a summary or link."""
        entry = replace(entry, id=entry.identity(), source=source or entry.source)
        if entry.extra.get(FEED_TEXT) == "content" or not entry.url:
            return Completed(entry, True)
        try:
            page = next((item for item in self._load_page(entry.url) if isinstance(item, Article)), None)
        except LoadError as exc:
            return self._without_page(entry, str(exc))
        if page is None:
            return self._without_page(entry, "no article found on the linked page")
        return Completed(replace(entry, text=page.text, title=entry.title or page.title,
                                 published=entry.published or page.published,
                                 author=entry.author or page.author,
                                 source=entry.source or page.source), True)

    @staticmethod
    def _without_page(entry: Article, reason: str) -> Completed:
        if entry.text:
            return Completed(entry, False)
        return Completed(LoadFailure(entry.origin, f"linked page {entry.url}: {reason}"), False)

"""Feed bodies to entries, their fingerprints, and entries completed from linked pages."""

from __future__ import annotations

import pytest

from ingest.article import Article, LoadError, LoadFailure
from ingest.feeds.entries import EntryCompleter, fingerprint, parse_entries
from ingest.loaders.feed import FEED_TEXT
from ingest.loaders.url import Fetched

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://harbor.example/2025/06/02/dock</loc>
    <news:news><news:publication><news:name>Harbor Ledger</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2025-06-02T09:00:00+00:00</news:publication_date>
      <news:title>Dock strike ends</news:title></news:news></url>
  <url><loc>https://harbor.example/about</loc></url>
</urlset>"""
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Wire</title>'
       b"<item><guid>a</guid><title>Full</title><description>Only a summary.</description>"
       b"<link>https://harbor.example/a</link></item></channel></rss>")


def _fetched(data: bytes) -> Fetched:
    return Fetched(url="https://harbor.example/feed", content_type="application/xml", charset=None, data=data)


def test_news_sitemap_entries_are_links_and_plain_pages_are_left_out() -> None:
    (entry,) = parse_entries(_fetched(SITEMAP), "https://harbor.example/feed")
    assert isinstance(entry, Article)
    assert (entry.title, entry.url, entry.published, entry.source, entry.text) == (
        "Dock strike ends", "https://harbor.example/2025/06/02/dock", "2025-06-02", "Harbor Ledger", "")
    assert entry.extra[FEED_TEXT] == "link"


@pytest.mark.parametrize("body", [b"<urlset><url><loc>x</loc>", b"<rss><channel><item><title>x</title>",
                                  b"<html><body>Not a feed</body></html>"])
def test_broken_or_foreign_bodies_are_errors(body: bytes) -> None:
    with pytest.raises(LoadError):
        parse_entries(_fetched(body), "feed")


def test_the_fingerprint_follows_what_the_feed_says() -> None:
    (entry,) = parse_entries(_fetched(RSS), "feed")
    assert isinstance(entry, Article) and entry.extra[FEED_TEXT] == "summary"
    same = fingerprint(entry, None)
    assert fingerprint(entry, None) == same
    assert fingerprint(entry, "Harbor Ledger") != same
    entry.text = "An edited summary."
    assert fingerprint(entry, None) != same


def _page(text: str) -> list[Article | LoadFailure]:
    return [Article(title="Page title", text=text, published="2025-06-01", author="Mira Holt",
                    source="harbor.example")]


def test_a_summary_entry_takes_the_pages_text_and_keeps_its_own_identity() -> None:
    (entry,) = parse_entries(_fetched(RSS), "feed")
    assert isinstance(entry, Article)
    done = EntryCompleter(lambda url: _page(f"The whole story at {url}.")).complete(entry, "Harbor Ledger")
    assert done.final and isinstance(done.article, Article)
    article = done.article
    assert (article.id, article.title, article.text) == ("a", "Full", "The whole story at https://harbor.example/a.")
    assert (article.source, article.author, article.published) == ("Harbor Ledger", "Mira Holt", "2025-06-01")


def test_an_unreadable_page_keeps_the_summary_or_fails_a_link_only_entry() -> None:
    def broken(url: str) -> list[Article | LoadFailure]:
        raise LoadError("HTTP 404 Not Found")

    (entry,) = parse_entries(_fetched(RSS), "feed")
    (link_only,) = parse_entries(_fetched(SITEMAP), "feed")
    assert isinstance(entry, Article) and isinstance(link_only, Article)
    completer = EntryCompleter(broken)
    kept = completer.complete(entry, None)
    assert not kept.final and isinstance(kept.article, Article) and kept.article.text == "Only a summary."
    failed = completer.complete(link_only, None)
    assert not failed.final and isinstance(failed.article, LoadFailure)
    assert "HTTP 404 Not Found" in failed.article.reason


def test_an_entry_with_full_content_downloads_nothing() -> None:
    body = RSS.replace(b"<description>Only a summary.</description>",
                       b"<content:encoded>The whole story.</content:encoded>").replace(
        b'<rss version="2.0">', b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">')
    (entry,) = parse_entries(_fetched(body), "feed")

    def no_download(url: str) -> list[Article | LoadFailure]:
        raise AssertionError(url)

    done = EntryCompleter(no_download).complete(entry, None)  # type: ignore[arg-type]
    assert done.final and isinstance(done.article, Article) and done.article.text == "The whole story."
    assert done.article.source == "Harbor Wire"

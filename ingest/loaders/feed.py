"""RSS 2.0 and Atom feeds: one article per entry.

Feeds often carry only a summary; that is still worth indexing because the entry link lets
an answer point the reader to the full story.
"""

from __future__ import annotations

import xml.sax
from collections.abc import Iterator
from typing import Any

import feedparser

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.dates import parse_date
from ingest.loaders.html import html_to_text
from ingest.loaders.text import headline_from, split_paragraphs

HTML_TYPES = ("text/html", "application/xhtml+xml")
# ``Article.extra`` key saying what a feed entry's text is: its full ``content``, or only
# a ``summary`` (the linked page then holds the article).
FEED_TEXT = "feed_text"


def parse_feed(data: bytes, origin: str, *, well_formed: bool = False) -> Iterator[Article | LoadFailure]:
    """Read every entry of a feed; entries are named ``origin#N`` (1-based) in failures.

    Takes bytes because the feed's XML declaration, not the caller, knows its encoding.
    With ``well_formed``, a body the XML parser rejects is an error even when entries could
    be salvaged from it: a watched feed caught mid-write would otherwise replace whole
    articles with the truncated entries of a broken body.
    """
    parsed = feedparser.parse(data)
    if well_formed and parsed.bozo and isinstance(parsed.bozo_exception, xml.sax.SAXException):
        raise LoadError(f"not well-formed XML: {_parser_message(parsed.bozo_exception)}")
    if not parsed.entries:
        raise LoadError(_empty_feed_reason(parsed))
    feed_title = _clean(parsed.feed.get("title"))
    for number, entry in enumerate(parsed.entries, start=1):
        yield _entry_to_article(entry, f"{origin}#{number}", feed_title)


def _empty_feed_reason(parsed: Any) -> str:
    if parsed.bozo:
        return f"not a valid RSS/Atom feed: {_parser_message(parsed.bozo_exception)}"
    if not parsed.version:
        return "not a valid RSS/Atom feed: no <rss> or <feed> root element"
    return "the feed has no entries"


def _parser_message(error: Exception) -> str:
    """The XML parser's own words, without the ``<unknown>:2:0:`` prefix: feedparser may
    rewrite the document before parsing, so its positions do not always match the file."""
    get_message = getattr(error, "getMessage", None)
    return get_message() if callable(get_message) else str(error)


def _entry_to_article(entry: Any, origin: str, feed_title: str | None) -> Article | LoadFailure:
    kind, text = _entry_text(entry)
    if not text:
        return LoadFailure(origin, "entry has no content or summary")
    return Article(
        title=_clean(entry.get("title")) or headline_from(text),
        text=text,
        url=_clean(entry.get("link")),
        published=parse_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        source=feed_title,
        author=_clean(entry.get("author")),
        id=_clean(entry.get("id")),
        origin=origin,
        extra={FEED_TEXT: kind},
    )


def _entry_text(entry: Any) -> tuple[str, str]:
    """The full content when the feed has it, else the summary, with which one it is."""
    details = [("content", d) for d in entry.get("content", [])]
    for kind, detail in [*details, ("summary", entry.get("summary_detail"))]:
        text = _detail_text(detail) if detail else ""
        if text:
            return kind, text
    return "summary", ""


def _detail_text(detail: Any) -> str:
    value = detail.get("value") or ""
    if detail.get("type") in HTML_TYPES:
        return html_to_text(value)
    return "\n\n".join(split_paragraphs(value))


def _clean(value: str | None) -> str | None:
    stripped = value.strip() if value else ""
    return stripped or None

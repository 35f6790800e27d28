"""News sitemaps (``<urlset>`` with ``<news:news>`` entries): the addresses of a site's
latest articles, with their titles and publication dates but no text.

Only entries marked as news count: a plain sitemap lists every page a site has, and
fetching all of them on every poll would be a crawl, not a feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.etree

from ingest.article import Article, LoadError
from ingest.loaders.dates import parse_date
from ingest.loaders.feed import FEED_TEXT

NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITEMAP_ROOT = re.compile(rb"^\s*(?:<\?[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<urlset\b", re.DOTALL)


def is_sitemap(data: bytes) -> bool:
    return bool(SITEMAP_ROOT.match(data[:2048]))


def parse_news_sitemap(data: bytes, origin: str) -> Iterator[Article]:
    """One link-only article per news entry; the linked page supplies the text."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise LoadError(f"not well-formed XML: {exc}") from None
    for number, url in enumerate(root.iter(f"{SITEMAP}url"), start=1):
        news = url.find(f"{NEWS}news")
        loc = (url.findtext(f"{SITEMAP}loc") or "").strip()
        if news is None or not loc:
            continue
        yield Article(title=(news.findtext(f"{NEWS}title") or "").strip(), text="", url=loc,
                      published=parse_date(news.findtext(f"{NEWS}publication_date")),
                      source=(news.findtext(f"{NEWS}publication/{NEWS}name") or "").strip() or None,
                      origin=f"{origin}#{number}", extra={FEED_TEXT: "link"})

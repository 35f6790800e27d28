"""Web pages: the article text without the page around it, plus whatever metadata the page
declares.

Navigation, cookie banners and footers must not reach the index: they repeat on every page
of a site and would be retrieved for unrelated questions. trafilatura does that separation;
the meta-tag fallbacks cover pages whose metadata it does not recognise.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import lxml.etree
import lxml.html
import trafilatura

from ingest.article import Article, LoadError, LoadFailure, web_url
from ingest.loaders.dates import parse_date
from ingest.loaders.text import headline_from, split_paragraphs

META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
CHARSET_SNIFF_BYTES = 4096
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
WINDOWS_1252_ALIASES = {"ascii", "iso8859-1"}
BLOCK_TAGS = ("p", "div", "li", "ul", "ol", "blockquote", "pre", "table", "tr",
              "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "figure", "hr")
INVISIBLE = "//script|//style|//noscript|//template"
WHITESPACE = re.compile(r"\s+")
LINE_EDGES = re.compile(r" *\n *")
META_QUERIES = {
    "title": ("//meta[@property='og:title']/@content", "//title/text()"),
    "author": ("//meta[@name='author']/@content",),
    "published": ("//meta[@property='article:published_time']/@content", "//time/@datetime"),
    "source": ("//meta[@property='og:site_name']/@content",),
    "url": ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"),
}


def parse_html(html: str, origin: str, url: str | None = None) -> Iterator[Article | LoadFailure]:
    """Read the one article a page carries; ``url`` is where it was fetched from, which
    identifies it better than any canonical link the page claims."""
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True)
    metadata = trafilatura.extract_metadata(html, default_url=url, extensive=False)
    fallback = _meta_tags(html)
    title = metadata.title or fallback.get("title")
    paragraphs = split_paragraphs((text or "").replace("\n", "\n\n"))
    if title and paragraphs and paragraphs[0] == title.strip():
        paragraphs = paragraphs[1:]
    if not paragraphs:
        raise LoadError("no article text found in HTML page")
    yield Article(
        title=title or headline_from(paragraphs[0]),
        text="\n\n".join(paragraphs),
        url=next((u for u in (url, metadata.url, fallback.get("url")) if web_url(u)), None),
        published=parse_date(metadata.date) or parse_date(fallback.get("published")),
        source=metadata.sitename or fallback.get("source"),
        author=metadata.author or fallback.get("author"),
        origin=origin,
    )


def decode_html(data: bytes, declared_charset: str | None) -> str:
    """Bytes to text following the browser order: byte-order mark, then the HTTP charset,
    then ``<meta charset>``, then UTF-8 when the bytes are valid UTF-8, else Windows-1252
    (what pages without a declaration almost always are)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    meta = META_CHARSET.search(data[:CHARSET_SNIFF_BYTES])
    for label in (declared_charset, meta.group(1).decode("ascii") if meta else None):
        encoding = _codec(label)
        if encoding:
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def html_to_text(fragment: str) -> str:
    """Text of an HTML snippet (a feed summary) with block elements as paragraphs; too short
    for trafilatura, which is tuned to find an article inside a full page."""
    if not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return fragment.strip()
    for element in root.xpath(INVISIBLE):
        element.drop_tree()
    _collapse_whitespace(root)
    for element in root.iter(*BLOCK_TAGS):
        element.text = "\n\n" + (element.text or "")
        element.tail = "\n\n" + (element.tail or "")
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    return "\n\n".join(split_paragraphs(LINE_EDGES.sub("\n", root.text_content())))


def _collapse_whitespace(root: lxml.html.HtmlElement) -> None:
    """Source line breaks inside HTML are not paragraph breaks; only tags make those."""
    for element in root.iter():
        if element.tag == "pre":
            continue
        element.text = WHITESPACE.sub(" ", element.text) if element.text else element.text
        element.tail = WHITESPACE.sub(" ", element.tail) if element.tail else element.tail


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return "cp1252" if name in WINDOWS_1252_ALIASES else name


def _meta_tags(html: str) -> dict[str, str]:
    """Metadata from the common meta tags, for pages whose markup trafilatura misreads."""
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (lxml.etree.ParserError, ValueError):
        return {}
    found: dict[str, str] = {}
    for key, xpaths in META_QUERIES.items():
        value = _first(root, xpaths)
        if value:
            found[key] = value
    return found


def _first(root: lxml.html.HtmlElement, xpaths: tuple[str, ...]) -> str | None:
    for xpath in xpaths:
        for value in root.xpath(xpath):
            if str(value).strip():
                return str(value).strip()
    return None

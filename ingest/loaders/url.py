"""Articles and feeds fetched over HTTP(S).

Every network failure becomes a LoadError whose message says what went wrong in words a
user can act on (wrong host, page gone, too big), because the ingest summary is where they
read it. Downloads are capped while streaming so an endless or huge response cannot
exhaust memory.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.files import Kind, format_size, parse_content
from ingest.loaders.jsonl import FieldMap

CONTENT_TYPE_KINDS: dict[str, Kind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
}
SNIFF_BYTES = 2048
LEADING_MARKUP = r"^(?:<\?[^>]*\?>\s*|<!--.*?-->\s*)*"
FEED_ROOT = re.compile(LEADING_MARKUP + r"<(?:rss|feed|rdf:rdf)\b", re.DOTALL)
HTML_ROOT = re.compile(LEADING_MARKUP + r"<(?:!doctype\s+html|html|head|body)\b", re.DOTALL)
ERRNO_PREFIX = re.compile(r"^\[Errno -?\d+\]\s*")
SUPPORTED = "HTML, RSS/Atom, JSON, JSON Lines, Markdown, plain text"


NOT_MODIFIED = 304


@dataclass(frozen=True)
class Fetched:
    """A downloaded body with what the server said about it; ``url`` is after redirects.
    ``etag`` and ``last_modified`` are the validators a conditional request sends back; a
    ``304`` status comes with no body."""

    url: str
    content_type: str | None
    charset: str | None
    data: bytes
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None


def fetch(url: str, *, timeout_s: float, max_bytes: int, user_agent: str,
          headers: Mapping[str, str] | None = None) -> Fetched:
    """Download ``url``, following redirects; raises LoadError with a readable reason.
    ``headers`` (``If-None-Match``, ``If-Modified-Since``) make the request conditional."""
    try:
        with httpx.Client(follow_redirects=True, timeout=timeout_s,
                          headers={"User-Agent": user_agent, **(headers or {})}) as client:
            with client.stream("GET", url) as response:
                return _fetched(response, max_bytes)
    except httpx.TimeoutException as error:
        raise LoadError(f"timed out after {timeout_s:g} s") from error
    except httpx.ConnectError as error:
        raise LoadError(f"could not connect to host: {_host(url)} ({_reason(error)})") from error
    except httpx.TooManyRedirects as error:
        raise LoadError("too many redirects") from error
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
        raise LoadError(f"not a valid http(s) URL: {_reason(error)}") from error
    except httpx.HTTPError as error:
        raise LoadError(f"download failed: {_reason(error)}") from error


def load_url(url: str, *, timeout_s: float, max_bytes: int, user_agent: str,
             fields: FieldMap = FieldMap()) -> Iterator[Article | LoadFailure]:
    """Fetch ``url`` and parse it as whatever it turns out to be (page, feed, JSON, text)."""
    fetched = fetch(url, timeout_s=timeout_s, max_bytes=max_bytes, user_agent=user_agent)
    kind = detect_kind(fetched.content_type, fetched.data)
    yield from parse_content(kind, fetched.data, url, fields=fields, url=fetched.url,
                             charset=fetched.charset)


def detect_kind(content_type: str | None, data: bytes) -> Kind:
    """What the body is. A body starting ``<rss`` or ``<feed`` is a feed whatever the header
    says (servers often label feeds ``text/html``); otherwise a specific content type wins,
    and the first bytes decide for ``text/plain``, ``application/octet-stream`` or none."""
    sniffed = _sniff(data)
    if sniffed == "feed":
        return sniffed
    declared = CONTENT_TYPE_KINDS.get(content_type or "")
    if declared and declared != "text":
        return declared
    if sniffed:
        return sniffed
    if b"\x00" in data[:SNIFF_BYTES]:
        raise LoadError(f"binary content ({content_type or 'no content type'}), not text")
    if declared or not content_type or content_type.startswith("text/"):
        return "text"
    raise LoadError(f"unsupported content type '{content_type}' (supported: {SUPPORTED})")


def _fetched(response: httpx.Response, max_bytes: int) -> Fetched:
    validators = {"etag": response.headers.get("etag"),
                  "last_modified": response.headers.get("last-modified")}
    if response.status_code == NOT_MODIFIED:
        return Fetched(url=str(response.url), content_type=None, charset=None, data=b"",
                       status=NOT_MODIFIED, **validators)
    if response.status_code >= 400:
        raise LoadError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise LoadError(f"response is {format_size(int(declared))}, over the "
                        f"{format_size(max_bytes)} limit")
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise LoadError(f"response is over the {format_size(max_bytes)} limit")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return Fetched(url=str(response.url), content_type=content_type or None,
                   charset=response.charset_encoding, data=bytes(body),
                   status=response.status_code, **validators)


def _sniff(data: bytes) -> Kind | None:
    head = data[:SNIFF_BYTES].removeprefix(codecs.BOM_UTF8).decode("latin-1").lstrip().lower()
    if FEED_ROOT.match(head):
        return "feed"
    if HTML_ROOT.match(head):
        return "html"
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        return "jsonl" if _is_json_lines(data) else "json"
    return None


def _is_json_lines(data: bytes) -> bool:
    """A body whose first line is a whole JSON value and which has more lines after it."""
    lines = [line for line in data.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
    except ValueError:
        return False
    return True


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _reason(error: Exception) -> str:
    """``[Errno 111] Connection refused`` -> ``connection refused``."""
    text = ERRNO_PREFIX.sub("", str(error)).strip() or type(error).__name__
    return text[:1].lower() + text[1:]

"""The unit every loader produces and every later stage consumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit, parse_qsl, urlencode

TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
WEB_SCHEMES = ("http", "https")


class LoadError(Exception):
    """A source that cannot become an article; the message is shown to the user as the reason."""


@dataclass(frozen=True)
class LoadFailure:
    """One record or file that was skipped, reported in the ingest summary instead of
    aborting the batch."""

    origin: str
    reason: str


def canonical_url(url: str) -> str:
    """Strip what makes one page look like many (tracking parameters, letter case of the
    scheme and host, a trailing slash) so that re-ingesting a page finds the same record."""
    parts = urlsplit(url.strip())
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not k.lower().startswith(TRACKING_PARAMS)]
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, parts.fragment))


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address with a host, else None. An article's URL is
    shown to readers as a link and, without an explicit id, names the article: a
    ``javascript:`` or ``mailto:`` link from a page or an export would be a script in a
    reader's browser and a false identity, and a relative path leads nowhere."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a malformed address ("http://[x") is no address
        return None
    return url.strip() if parts.scheme.lower() in WEB_SCHEMES and parts.netloc else None


def site_of(url: str | None) -> str | None:
    """The host a reader recognises ("example.org" for "https://www.example.org/a"): what
    names an article that gives no source."""
    try:
        host = urlsplit(url.strip()).hostname if url else None
    except ValueError:  # a malformed address ("http://[x") names no site
        return None
    return host.removeprefix("www.") if host else None


@dataclass
class Article:
    """A news article as loaded, before cleaning.

    ``published`` is an ISO date (``YYYY-MM-DD``) or None when the source gives none;
    ``origin`` says where it came from (file path, URL, ``file.jsonl:17``) for error reports.
    ``url`` is kept only when it is a web address (``web_url``), whatever the loader found.
    """

    title: str
    text: str
    url: str | None = None
    published: str | None = None
    source: str | None = None
    author: str | None = None
    id: str | None = None
    origin: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.url = web_url(self.url)

    def identity(self) -> str:
        """Explicit id, else canonical URL, else a hash of the content: the rule that makes
        re-ingesting the same story land on the same record."""
        if self.id:
            return self.id
        if self.url:
            return canonical_url(self.url)
        digest = hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()
        return f"sha256:{digest[:32]}"

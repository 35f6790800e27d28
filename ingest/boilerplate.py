"""Paragraphs a site prints on many of its pages are the site's, not the article's.

Scraped pages carry newsletter plugs, consent notices, "thank you for supporting our
journalism", video-player apologies and author boxes. No list of such phrases transfers to
the next site, but they share one trait: the same paragraph, word for word, on page after
page of one site, where an article's own paragraphs appear once (or on the few versions of
one story). Such paragraphs are left out of the chunks, so they are neither embedded nor
searched nor quoted; the stored text keeps them, so every offset stays exact.

A site is known by the pages it has in the catalog: each document records the keys of its
paragraphs, and a paragraph is boilerplate once it is on ``REPEATED_ON_PAGES`` pages of the
same site (this one included). The first few pages of a new site keep their chrome until
the repetition shows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ingest.article import site_of

# On 1,190 scraped news pages of three sites: paragraphs on 3+ pages of a site were 1.0% of
# the text and already held story paragraphs that three related articles repeat (a tax
# deadline); from 4 pages on, 0.6%, all of it chrome.
REPEATED_ON_PAGES = 4
_PARAGRAPH = re.compile(r"[^\n]+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Paragraphs:
    """A text's paragraphs as ``key -> spans`` (one paragraph may recur within a page)."""

    spans: Mapping[str, list[tuple[int, int]]]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.spans)


def paragraphs(text: str) -> Paragraphs:
    """Keys of the clean text's paragraphs: a digest of the paragraph with case and spacing
    folded, so a re-rendered page with other whitespace still matches."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for match in _PARAGRAPH.finditer(text):
        folded = _SPACE.sub(" ", match.group()).strip().lower()
        if folded:
            key = hashlib.sha256(folded.encode()).hexdigest()[:24]
            spans.setdefault(key, []).append((match.start(), match.end()))
    return Paragraphs(spans)


def site_key(source: str | None, url: str | None) -> str | None:
    """Which pages count as one site's: its source name, else its host."""
    return source or site_of(url)


def boilerplate_spans(found: Paragraphs, pages_elsewhere: Mapping[str, int],
                      pending: Iterable[frozenset[str]] = (),
                      repeated_on: int = REPEATED_ON_PAGES) -> list[tuple[int, int]]:
    """Spans of the paragraphs on at least ``repeated_on`` pages of the site, counting this
    one, the catalog's other pages (``pages_elsewhere``) and pages of the same run not yet
    committed (``pending``, their keys), in text order."""
    pending = list(pending)
    skipped = [span for key, spans in found.spans.items()
               if 1 + pages_elsewhere.get(key, 0) + sum(key in keys for keys in pending) >= repeated_on
               for span in spans]
    return sorted(skipped)

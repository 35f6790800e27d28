"""What a user may ask to watch: an http(s) address and a polling interval such as ``15m``.

The CLI and the API read both through these functions, so a bad address or interval gets
the same precise message wherever it was typed, before anything is stored.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_URL_CHARS = 2048


class FeedSpecError(ValueError):
    """Input that cannot describe a feed; the message names what is wrong and what fits."""


def parse_interval(text: str, *, least_s: int) -> int:
    """``15m`` -> 900 seconds (units ``s``, ``m``, ``h``, ``d``; a bare number is seconds).
    Intervals under ``least_s`` are refused: polling faster loads the publisher, not the news."""
    match = INTERVAL.match(text)
    if match is None:
        raise FeedSpecError(f"'{text}' is not an interval: write a whole number with a unit "
                            "s, m, h or d, e.g. 15m or 2h")
    seconds = int(match.group(1)) * UNIT_SECONDS[match.group(2).lower()]
    if seconds < least_s:
        raise FeedSpecError(f"'{text}' is shorter than the shortest interval, {format_interval(least_s)}")
    return seconds


def format_interval(seconds: int) -> str:
    """900 -> ``15m``: the largest unit that divides the interval, as it was likely typed."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def check_feed_url(url: str) -> str:
    """The address, stripped, when it is an absolute http(s) URL with a host."""
    stripped = url.strip()
    if len(stripped) > MAX_URL_CHARS:
        raise FeedSpecError(f"the URL is longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(stripped)
        host = parts.hostname
    except ValueError as exc:
        raise FeedSpecError(f"'{stripped}' is not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FeedSpecError(f"'{stripped}' is not an http(s) URL")
    if not host:
        raise FeedSpecError(f"'{stripped}' names no host")
    return stripped

"""One place that turns the many ways sources write dates into ``YYYY-MM-DD``.

Every loader routes dates through :func:`parse_date` so that a story gets the same
``published`` value whether it arrived as a feed entry, a JSON export or a Markdown file,
and so that a value we cannot read becomes None rather than a guess.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

STRPTIME_FORMATS = (
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
)
EPOCH_MILLISECONDS_THRESHOLD = 100_000_000_000
EPOCH_SECONDS_MINIMUM = 100_000_000
URL_DATE = re.compile(r"/((?:19|20)\d\d)([/-])(\d\d?)\2(\d\d?)(?=[/\-_.]|$)")
# Where an article's date came from, recorded with it: readers and filters can tell a
# publisher's own date from one read off the address or the page.
DateSource = Literal["metadata", "url", "text", "none"]


def parse_date(value: object) -> str | None:
    """Normalise a date from any source to ISO ``YYYY-MM-DD``; None when absent or unreadable,
    because an invented publication date would mislead every answer that cites it.

    Aware datetimes are converted to UTC first, so the same instant gives the same date
    whichever format carried it (feedparser already reports feed dates in UTC).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _utc_date(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time.struct_time):
        return _from_struct_time(value)
    if isinstance(value, (int, float)):
        return _from_epoch(value)
    if isinstance(value, str):
        return _from_string(value.strip())
    return None


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(timezone.utc).date()


def _from_struct_time(value: time.struct_time) -> str | None:
    try:
        return date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
    except ValueError:
        return None


def _from_epoch(value: float) -> str | None:
    """Numbers in JSON exports are Unix timestamps; small numbers (a bare year, a count)
    are not, so they are refused instead of becoming a date in 1970."""
    seconds = value / 1000 if value >= EPOCH_MILLISECONDS_THRESHOLD else value
    if seconds < EPOCH_SECONDS_MINIMUM:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _from_string(text: str) -> str | None:
    if not text:
        return None
    for parse in (_from_iso, _from_rfc822, _from_formats):
        parsed = parse(text)
        if parsed is not None:
            return parsed.isoformat()
    return None


def _from_iso(text: str) -> date | None:
    try:
        return _utc_date(datetime.fromisoformat(text))
    except ValueError:
        return None


def _from_rfc822(text: str) -> date | None:
    try:
        return _utc_date(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _from_formats(text: str) -> date | None:
    for fmt in STRPTIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def date_from_url(url: str | None, today: date | None = None) -> str | None:
    """The date a publisher wrote into an article's path (``/2023/01/05/``, ``/2023-01-05-``,
    or a slug ending ``-5-january-2023``), for stories whose page or feed carries no date.

    Most news sites put the publication day in the path, and without a date an article cannot
    take part in ``as_of`` or date filters at all. Only year/month/day in one separator style
    counts, and a day after ``today`` (plus a day for time zones) is refused as a misreading.
    """
    if not url:
        return None
    path = urlsplit(url).path
    match = URL_DATE.search(path)
    if match is not None:
        year, _, month, day = match.groups()
        try:
            found: date | None = date(int(year), int(month), int(day))
        except ValueError:
            return None
    else:
        found = _slug_date(path.rstrip("/").rsplit("/", 1)[-1])
    if found is None or found > (today or date.today()) + timedelta(days=1):
        return None
    return found.isoformat()


def _slug_date(slug: str) -> date | None:
    """A day written out at the end of a slug (``ten-things-to-know-today-5-january-2023``,
    ``-january-5-2023``): sites without a dated path put the day of a daily column there.
    Only the slug's end counts; a date earlier in it names what the story is about."""
    day_month = _SLUG_DAY_MONTH.search(slug)
    month_day = None if day_month else _SLUG_MONTH_DAY.search(slug)
    if day_month:
        day, month, year = day_month.groups()
    elif month_day:
        month, day, year = month_day.groups()
    else:
        return None
    parsed = parse_date(f"{month[:3]} {day}, {year}")
    return date.fromisoformat(parsed) if parsed else None


_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_SLUG_DAY_MONTH = re.compile(rf"(?:^|-)(\d{{1,2}})-({_MONTH})-((?:19|20)\d\d)$", re.IGNORECASE)
_SLUG_MONTH_DAY = re.compile(rf"(?:^|-)({_MONTH})-(\d{{1,2}})-((?:19|20)\d\d)$", re.IGNORECASE)
_WRITTEN_DATE = (rf"(?:{_MONTH}\.? \d{{1,2}},? (?:19|20)\d\d|\d{{1,2}} {_MONTH}\.? (?:19|20)\d\d"
                 r"|(?:19|20)\d\d-\d\d-\d\d)")
# A stamp the page prints about itself: "Published 5:03 a.m. ET Jan. 5, 2023", "Updated:
# 12 January 2023"; or, among its first lines, one that holds nothing but a date (and a time).
_STAMP = re.compile(
    rf"\b(Published|Posted|First published|Updated|Last updated)\b[^\n]{{0,40}}?({_WRITTEN_DATE})",
    re.IGNORECASE)
_DATE_LINE = re.compile(
    rf"^\s*({_WRITTEN_DATE})(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?"
    rf"|[ ,]+\d{{1,2}}:\d\d(?: ?[ap]\.?m\.?)?(?: [A-Z]{{2,4}})?)?\s*$", re.IGNORECASE)
# A wire dateline opening the story: "WASHINGTON, Jan. 5, 2023 (Reuters) - The Senate ...".
_DATELINE = re.compile(rf"^\s*[A-Z][A-Z .'\-]{{1,40}}, ({_WRITTEN_DATE})\b[^\n]{{0,20}}?\s[-\u2013\u2014]\s")
# Where a page states its own date: the opening lines (byline, dateline) or the closing ones.
STAMP_HEAD_CHARS = 400
STAMP_TAIL_CHARS = 300
DATE_LINE_PARAGRAPHS = 3


def date_from_text(text: str, today: date | None = None) -> str | None:
    """The publication date a page states in its own words, for pages whose metadata has
    none: a "Published ..." stamp (else an "Updated ..." one) in the opening or closing
    lines, a wire dateline opening the story ("WASHINGTON, Jan. 5, 2023 -"), or one of the
    first paragraphs that is only a date or a timestamp. A date inside a sentence
    ("on January 5, 2023, the court") is what the story is about, not when it appeared,
    and a date line further down heads a section of the story, so neither counts; nor
    does a day after ``today`` (plus one for time zones)."""
    stamps = [m for part in (text[:STAMP_HEAD_CHARS], text[-STAMP_TAIL_CHARS:])
              for m in _STAMP.finditer(part)]
    stamps.sort(key=lambda m: "updated" in m.group(1).lower())
    lines = [m.group(1) for m in map(_DATE_LINE.match, text.split("\n\n")[:DATE_LINE_PARAGRAPHS]) if m]
    dateline = _DATELINE.match(text)
    lines = [dateline.group(1), *lines] if dateline else lines
    limit = (today or date.today()) + timedelta(days=1)
    for written in [m.group(2) for m in stamps] + lines:
        found = parse_date(written.replace(".", ""))
        if found and date.fromisoformat(found) <= limit:
            return found
    return None


def article_date(published: str | None, url: str | None, text: str, *,
                 from_urls: bool) -> tuple[str | None, DateSource]:
    """The date an article is filed under and where it came from: its metadata, else the
    day in its address (when ``from_urls``), else the stamp its text prints about itself.
    An article none of them dates keeps ``None``: it is still searched, only date bounds
    treat it apart."""
    if published:
        return published, "metadata"
    found = date_from_url(url) if from_urls else None
    if found:
        return found, "url"
    found = date_from_text(text)
    if found:
        return found, "text"
    return None, "none"

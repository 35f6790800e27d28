from __future__ import annotations

import pytest

from ingest.feeds.spec import FeedSpecError, check_feed_url, format_interval, parse_interval


@pytest.mark.parametrize(("text", "seconds"), [("15m", 900), ("2h", 7200), ("1d", 86400), ("90", 90),
                                               ("45S", 45), (" 30m ", 1800)])
def test_intervals_with_units(text: str, seconds: int) -> None:
    assert parse_interval(text, least_s=1) == seconds


@pytest.mark.parametrize(("text", "message"), [("", "is not an interval"), ("15 minutes", "is not an interval"),
                                               ("-5m", "is not an interval"), ("1.5h", "is not an interval"),
                                               ("0m", "shorter than the shortest interval, 1m"),
                                               ("59s", "shorter than the shortest interval, 1m")])
def test_bad_intervals_say_what_fits(text: str, message: str) -> None:
    with pytest.raises(FeedSpecError) as raised:
        parse_interval(text, least_s=60)
    assert message in str(raised.value)


def test_intervals_print_as_typed() -> None:
    assert [format_interval(s) for s in (45, 60, 900, 5400, 7200, 86400, 90000)] == \
        ["45s", "1m", "15m", "90m", "2h", "1d", "25h"]


@pytest.mark.parametrize(("url", "message"), [("javascript:alert(1)", "not an http(s) URL"),
                                              ("harbor.example/rss", "not an http(s) URL"),
                                              ("https://", "names no host"),
                                              ("http://[::1/rss", "not a valid URL"),
                                              ("https://x.example/" + "a" * 2100, "longer than 2048")])
def test_only_http_urls_with_a_host_are_feeds(url: str, message: str) -> None:
    with pytest.raises(FeedSpecError) as raised:
        check_feed_url(url)
    assert message in str(raised.value)


def test_a_good_url_is_kept_as_written() -> None:
    assert check_feed_url("  https://Harbor.example/rss.xml?x=1 ") == "https://Harbor.example/rss.xml?x=1"

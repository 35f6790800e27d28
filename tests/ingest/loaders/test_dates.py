import time
from datetime import date, datetime, timezone

import pytest

from ingest.loaders.dates import article_date, date_from_text, date_from_url, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-12", "2025-02-12"),
        ("2025-02-12T10:30:00", "2025-02-12"),
        ("2025-02-12T10:30:00Z", "2025-02-12"),
        ("2025-02-12T23:30:00-05:00", "2025-02-13"),
        ("Wed, 12 Feb 2025 09:00:00 +0000", "2025-02-12"),
        ("Wed, 12 Feb 2025 09:00:00 GMT", "2025-02-12"),
        ("2025/02/12", "2025-02-12"),
        ("February 12, 2025", "2025-02-12"),
        ("Feb 12, 2025", "2025-02-12"),
        ("12 February 2025", "2025-02-12"),
        ("  2025-02-12  ", "2025-02-12"),
        (date(2025, 2, 12), "2025-02-12"),
        (datetime(2025, 2, 12, 23, 0, tzinfo=timezone.utc), "2025-02-12"),
        (time.strptime("2025-02-12", "%Y-%m-%d"), "2025-02-12"),
        (1739318400, "2025-02-12"),
        (1739318400000, "2025-02-12"),
    ],
)
def test_accepted_formats(value: object, expected: str) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "yesterday", "2025-02-30", "13/13/2025", 2025, True, ["2025-02-12"]],
)
def test_unreadable_values_give_none(value: object) -> None:
    assert parse_date(value) is None


TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example.com/2023/01/05/politics/speaker-vote/index.html", "2023-01-05"),
        ("https://news.example.com/story/sports/nfl/2023/1/5/hamlin-update/10991034002/", "2023-01-05"),
        ("https://news.example.com/2023-01-05-speaker-vote", "2023-01-05"),
        ("https://news.example.com/archive/2026/03/02/late-edition", "2026-03-02"),
        ("https://news.example.com/news/959137/ten-things-you-need-to-know-today-5-january-2023", "2023-01-05"),
        ("https://news.example.com/briefing/january-5-2023/", "2023-01-05"),
        ("https://news.example.com/briefing/sept-30-2023", "2023-09-30"),
    ],
)
def test_dates_in_article_paths(url: str, expected: str) -> None:
    assert date_from_url(url, today=TODAY) == expected


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://news.example.com/news/959096/andrew-tate-profile",
        "https://news.example.com/2023/13/05/not-a-month",
        "https://news.example.com/2023/02/30/not-a-day",
        "https://news.example.com/2023/01-05/mixed-separators",
        "https://news.example.com/2026/03/09/from-next-week",
        "https://news.example.com/story?date=2023/01/05",
        "https://news.example.com/ids/12023/01/05/",
        "https://news.example.com/news/959153/quiz-of-the-week-31-december-6-january",  # no year
        "https://news.example.com/news/5-january-2023-what-we-learned",  # the subject, not the end
        "https://news.example.com/news/ten-things-to-know-11-january-202",  # a cut-off year
        "https://news.example.com/news/ten-things-to-know-31-february-2023",
        "https://news.example.com/news/ten-things-to-know-5-march-2026-preview",
        "https://news.example.com/news/looking-ahead-9-march-2026",  # after today
    ],
)
def test_paths_without_a_plain_date_give_none(url: str | None) -> None:
    assert date_from_url(url, today=TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Jane Roe\nPublished 5:03 a.m. ET Jan. 5, 2023\n\nThe council voted on Monday.", "2023-01-05"),
        ("Updated: 12 January 2023 Published 10 January 2023\n\nThe council voted.", "2023-01-10"),
        ("Updated: 12 January 2023\n\nThe council voted.", "2023-01-12"),
        ("January 5, 2023 10:15 ET\n\nThe council voted.", "2023-01-05"),
        ("The council voted.\n\nPosted on 2023-01-06 by the city desk", "2023-01-06"),
        ("WASHINGTON, Jan. 5, 2023 (Reuters) - The Senate voted.", "2023-01-05"),
        ("LONDON, 5 January 2023 \u2013 Rain fell.", "2023-01-05"),
        ("2023-01-05T10:15:00Z\n\nThe council voted.", "2023-01-05"),
        ("The council, Jan. 5, 2023 - voted.", None),  # a dateline names a place in capitals
        ("On January 5, 2023, the council voted.", None),  # a date in a sentence is the story's
        ("One.\n\nTwo.\n\nThree.\n\nMay 17, 2019\n\nA section of the story.", None),
        ("Published Jan. 5, 2099\n\nThe council voted.", None),  # after today: a misreading
        ("No date at all.", None),
    ],
)
def test_a_page_is_dated_by_the_stamp_it_prints_about_itself(text: str, expected: str | None) -> None:
    assert date_from_text(text, today=date(2026, 1, 1)) == expected


@pytest.mark.parametrize(("published", "url", "text", "from_urls", "expected"), [
    ("2023-01-04", "https://x.example/2023/01/05/a", "Published Jan. 6, 2023\n\nText.", True,
     ("2023-01-04", "metadata")),
    (None, "https://x.example/2023/01/05/a", "Published Jan. 6, 2023\n\nText.", True, ("2023-01-05", "url")),
    (None, "https://x.example/2023/01/05/a", "Published Jan. 6, 2023\n\nText.", False, ("2023-01-06", "text")),
    (None, "https://x.example/a", "Text without a date.", True, (None, "none")),
])
def test_an_article_date_says_where_it_came_from(published: str | None, url: str, text: str,
                                                 from_urls: bool, expected: tuple[str | None, str]) -> None:
    assert article_date(published, url, text, from_urls=from_urls) == expected

import time
from datetime import date, datetime, timezone

import pytest

from ingest.loaders.dates import parse_date


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

"""News questions are often relative in time ("this week", "yesterday"). Given the date the
question is asked (``as_of``), such phrases become a publication-date window, so that an
older article is not passed off as this week's news; and the days just before any upper
date bound form a recent window of their own for the retriever."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from ingest.store.records import SearchFilters

_WINDOWS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\b(today|tonight|this morning|this afternoon|yesterday)\b", re.I), 3),
    (re.compile(r"\b(this|past|last) (week|weekend)\b|\bthis past week\b|\bin recent days\b", re.I), 9),
    (re.compile(r"\b(this|past|last) month\b", re.I), 35),
)


def relative_window(question: str, as_of: str) -> tuple[str, str] | None:
    """``(date_from, date_to)`` for the first relative phrase found, with a day or two of
    slack for publication lag; None when the question names no relative period."""
    reference = date.fromisoformat(as_of[:10])
    for pattern, days in _WINDOWS:
        if pattern.search(question):
            return (reference - timedelta(days=days)).isoformat(), reference.isoformat()
    return None


def recent_window(filters: SearchFilters, days: int) -> SearchFilters | None:
    """``filters`` narrowed to the ``days`` before their upper date bound; None without a
    bound, with ``days`` 0, or when the filters are no wider than that already."""
    if days <= 0 or not filters.date_to:
        return None
    start = (date.fromisoformat(filters.date_to[:10]) - timedelta(days=days)).isoformat()
    if filters.date_from and filters.date_from >= start:
        return None
    return replace(filters, date_from=start, undated_until=None)

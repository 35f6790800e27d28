"""Date windows: relative phrases against ``as_of``, and the recent window before a bound."""

from __future__ import annotations

from ingest.store.records import SearchFilters
from service.retrieval.time_window import recent_window, relative_window


def test_this_week_is_the_nine_days_before_as_of() -> None:
    assert relative_window("Who won the vote this week?", "2026-03-12") == ("2026-03-03", "2026-03-12")
    assert relative_window("Who won the 2025 vote?", "2026-03-12") is None


def test_the_recent_window_keeps_the_other_filters() -> None:
    filters = SearchFilters(sources=("Metro Wire",), date_to="2026-03-12")
    assert recent_window(filters, 3) == SearchFilters(sources=("Metro Wire",), date_from="2026-03-09",
                                                      date_to="2026-03-12")
    wide = SearchFilters(date_from="2025-01-01", date_to="2026-03-12T18:00:00")
    assert recent_window(wide, 3) == SearchFilters(date_from="2026-03-09", date_to="2026-03-12T18:00:00")


def test_no_recent_window_without_a_bound_or_when_the_filter_is_as_narrow() -> None:
    assert recent_window(SearchFilters(), 3) is None
    assert recent_window(SearchFilters(date_to="2026-03-12"), 0) is None
    assert recent_window(SearchFilters(date_from="2026-03-10", date_to="2026-03-12"), 3) is None

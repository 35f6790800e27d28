"""Figures and what they count, as the support checks and the update ordering read them."""

from __future__ import annotations

from service.answering.terms import counted_things, figures


def test_figures_are_multi_digit_numbers_other_than_years() -> None:
    text = "In 2025 the fair drew 168,000 visitors, not 212,000; 5 days; $1.2bn; growth 0.8%."
    assert figures(text) == {"168000", "212000", "$1.2bn", "0.8"}


def test_a_figure_with_a_thousands_separator_is_no_year() -> None:
    assert figures("2,000 homes lost power in 2023") == {"2000"}


def test_counted_things_read_the_word_after_a_figure() -> None:
    assert counted_things("38,000 homes lost power; the toll rose to 37, officials said") == {"38000": {"home"}}

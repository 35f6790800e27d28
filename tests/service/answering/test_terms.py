"""Content words and figures as the support checks and the update ordering read them."""

from __future__ import annotations

from service.answering.terms import figures, terms


def test_terms_drop_stop_words_plurals_and_thousands_separators() -> None:
    assert terms("The 48,000 kettles were recalled") == ["48000", "kettle", "recalled"]


def test_figures_are_multi_digit_numbers_other_than_years() -> None:
    text = "In 2025 the fair drew 168,000 visitors, not 212,000; 5 days; $1.2bn; growth 0.8%."
    assert figures(text) == {"168000", "212000", "$1.2bn", "0.8"}

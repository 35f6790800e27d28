"""Words as every part of the product reads them."""

from __future__ import annotations

from ingest.words import query_terms, stems, terms, tokens, years


def test_terms_drop_stop_words_plurals_and_thousands_separators() -> None:
    assert terms("The 48,000 kettles were recalled") == ["48000", "kettle", "recalled"]


def test_a_plural_s_goes_only_where_both_forms_are_one_word() -> None:
    assert terms("news homes class") == ["news", "home", "class"]
    assert "new" not in stems("the news")


def test_years_are_four_digits_written_as_a_year() -> None:
    assert years("In 2023, 2,000 homes cost $2010 each; 2019.5 and 2024% are no years; by 1999.") == {"2023", "1999"}


def test_query_terms_keep_only_word_characters_once() -> None:
    assert query_terms('"Storm" OR storm* AND (Delphine)') == ["storm", "delphine"]


def test_tokens_keep_inner_apostrophes_and_hyphens() -> None:
    assert tokens("Who won the women's K-200?") == ["Who", "won", "the", "women's", "K-200"]

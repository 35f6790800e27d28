from ingest.cleaning import clean_line, clean_text


def test_entities_unicode_and_whitespace_are_normalised() -> None:
    raw = "Caf\u0065\u0301 &amp; bar\u00a0 opens\t\ttoday.\r\n\r\n\n  Second\u200b para &quot;here&quot;. "
    assert clean_text(raw) == 'Caf\u00e9 & bar opens today.\n\nSecond para "here".'


def test_single_newlines_join_lines_of_a_paragraph() -> None:
    assert clean_text("line one\nline two\n\nnext") == "line one line two\n\nnext"


def test_clean_line_flattens_and_empties_to_none() -> None:
    assert clean_line("  A\n\nB ") == "A B"
    assert clean_line("   ") is None
    assert clean_line(None) is None

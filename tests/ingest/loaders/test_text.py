from pathlib import Path

import pytest

from ingest.article import Article, LoadError
from ingest.loaders.text import parse_text

FIXTURES = Path(__file__).parent / "fixtures"


def only_article(text: str, origin: str = "story.txt") -> Article:
    results = list(parse_text(text, origin))
    assert len(results) == 1
    assert isinstance(results[0], Article)
    return results[0]


def seed(*paragraphs: str, first_line: str = "date 2024-05-06 Town votes on new bridge") -> str:
    return first_line + "\n\n" + "\n\n".join(paragraphs) + "\n"


def test_seed_form_fixture() -> None:
    article = only_article((FIXTURES / "seed_article.txt").read_text("utf-8"), "seed_article.txt")
    assert article.published == "2024-11-03"
    assert article.title == ("Lakeside town opens its first floating solar farm "
                             "after two years of delays")
    assert article.text.startswith("The town of Marrow Lake switched on")
    assert article.text.endswith("less water to evaporation under the panels.")
    assert "Tomas Reyes" not in article.text
    assert "New section on costs" in article.text
    assert article.text.count("\n\n") == 3
    credit = "Northwind Wire, with additional reporting and inputs from Tomas Reyes"
    assert article.author == credit
    assert article.extra["credit"] == credit
    assert article.source == "Northwind Wire"
    assert article.origin == "seed_article.txt"
    assert article.url is None and article.id is None


def test_seed_first_line_with_bom_and_windows_newlines() -> None:
    text = "\ufeffdate 2024-05-06 Town votes on new bridge\r\n\r\nThe vote passed.\r\n"
    article = only_article(text)
    assert article.published == "2024-05-06"
    assert article.title == "Town votes on new bridge"
    assert article.text == "The vote passed."


@pytest.mark.parametrize(
    ("credit", "source"),
    [
        ("Reporting by Ana Silva; Editing by Tom Hale", None),
        ("(Reporting by Ana Silva in Lisbon; Editing by Tom Hale)", None),
        ("Additional reporting by Kofi Mensah.", None),
        ("By Ana Silva", None),
        ("Reporting and writing by Ana Silva", None),
        ("With reporting by the Harbour Herald newsroom", None),
        ("Reuters", "Reuters"),
        ("Associated Press", "Associated Press"),
        ("AFP and agencies contributed to this report", "AFP"),
    ],
)
def test_credit_lines_are_moved_out_of_the_text(credit: str, source: str | None) -> None:
    article = only_article(seed("The council approved the bridge on Monday.", credit))
    assert article.text == "The council approved the bridge on Monday."
    assert article.extra["credit"] == credit
    assert article.author == credit.strip("()")
    assert article.source == source


@pytest.mark.parametrize(
    "last",
    [
        "Work will start in March and should take two years.",
        "Will the bridge be ready in time?",
        "\u201cWe are delighted,\u201d the mayor said.",
        "Critical questions remain over funding",
        "Apple and Alibaba declined to comment",
        "By Tuesday, the water had receded from most streets",
        "Reporters were kept outside the building",
        "The mayor, who has campaigned for the bridge since 2019, said the vote showed broad "
        "support across the town and that she expected construction contracts to be signed "
        "before the end of the year",
    ],
)
def test_ordinary_last_paragraphs_are_kept(last: str) -> None:
    article = only_article(seed("The council approved the bridge on Monday.", last))
    assert article.text.endswith(last)
    assert article.author is None
    assert "credit" not in article.extra


def test_single_paragraph_is_never_taken_for_a_credit() -> None:
    article = only_article(seed("Reuters"))
    assert article.text == "Reuters"
    assert article.author is None


def test_seed_with_impossible_date_is_rejected() -> None:
    with pytest.raises(LoadError, match="impossible date '2024-02-31'"):
        list(parse_text(seed("Body.", first_line="date 2024-02-31 Headline"), "x.txt"))


def test_seed_without_body_is_rejected() -> None:
    with pytest.raises(LoadError, match="no article text"):
        list(parse_text("date 2024-05-06 Headline only\n", "x.txt"))


def test_plain_text_uses_first_line_as_title_and_has_no_date() -> None:
    text = "\n\nCity buys electric buses\n\nThe city has ordered 30 electric buses.\n\n\nThey arrive in May.\n"
    article = only_article(text)
    assert article.title == "City buys electric buses"
    assert article.text == "The city has ordered 30 electric buses.\n\nThey arrive in May."
    assert article.published is None


def test_plain_text_with_long_first_line_keeps_it_in_the_text() -> None:
    first = "word " * 60
    article = only_article(first + "\n\nSecond paragraph.")
    assert article.text.startswith("word word")
    assert article.text.endswith("Second paragraph.")
    assert len(article.title) <= 101 and article.title.endswith("…")


def test_single_line_text_is_both_title_and_text() -> None:
    article = only_article("Just one line of news.")
    assert article.title == article.text == "Just one line of news."


def test_whitespace_only_text_is_rejected() -> None:
    with pytest.raises(LoadError, match="no text"):
        list(parse_text(" \n\n ", "x.txt"))

from pathlib import Path

import pytest

from ingest.article import Article, LoadError
from ingest.loaders.markdown import parse_markdown

FIXTURES = Path(__file__).parent / "fixtures"


def only_article(text: str) -> Article:
    results = list(parse_markdown(text, "note.md"))
    assert len(results) == 1
    assert isinstance(results[0], Article)
    return results[0]


def test_front_matter_and_markup_stripping() -> None:
    article = only_article((FIXTURES / "article.md").read_text("utf-8"))
    assert article.title == "Orchard growers test frost-warning drones"
    assert article.published == "2024-04-18"
    assert article.author == "Priya Nandakumar"
    assert article.source == "Valley Courier"
    assert article.url == "https://courier.example/news/frost-drones"
    assert article.extra == {"tags": "farming, technology", "region": "North Valley"}
    assert article.origin == "note.md"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0] == (
        "Fruit growers in the North Valley are trying out small drones that measure air\n"
        "temperature above the trees at night, according to the growers' association."
    )
    assert paragraphs[1] == "Early results"
    assert "forty minutes before ground sensors" in article.text
    assert "sensor_id,temp_c\nA1,-1.5" in article.text
    assert "\u201cIt bought us time" in article.text or '"It bought us time' in article.text
    for markup in ("#", "**", "](", "![", "drone.jpg", "```", "> ", "_forty"):
        assert markup not in article.text
    assert "Orchard growers test" not in article.text


def test_title_falls_back_to_first_heading() -> None:
    article = only_article("Intro line.\n\n# Dam inspection passes\n\nThe dam is safe.\n")
    assert article.title == "Dam inspection passes"
    assert article.text == "Intro line.\n\nThe dam is safe."
    assert article.published is None


def test_code_fence_content_is_kept_verbatim() -> None:
    article = only_article("# T\n\nText.\n\n```python\nvalue = a_b_c * 2  # **not** emphasis\n```\n")
    assert "value = a_b_c * 2  # **not** emphasis" in article.text


def test_snake_case_words_are_not_emphasis() -> None:
    article = only_article("# T\n\nThe field_name_here stays and *this* loses its stars.\n")
    assert article.text == "The field_name_here stays and this loses its stars."


def test_published_key_and_unknown_date() -> None:
    article = only_article("---\ntitle: T\npublished: 'March 3, 2024'\n---\nBody.\n")
    assert article.published == "2024-03-03"
    undated = only_article("---\ntitle: T\ndate: sometime last spring\n---\nBody.\n")
    assert undated.published is None
    assert undated.extra["unparsed_date"] == "sometime last spring"


def test_invalid_yaml_names_the_line() -> None:
    text = "---\ntitle: Fine\nauthor: Ana: Silva\nsource: X\n---\nBody.\n"
    with pytest.raises(LoadError, match="invalid YAML in front matter at line 3: mapping values"):
        list(parse_markdown(text, "bad.md"))


def test_unclosed_front_matter() -> None:
    with pytest.raises(LoadError, match="never closed"):
        list(parse_markdown("---\ntitle: T\n\nBody.\n", "bad.md"))


def test_front_matter_must_be_a_mapping() -> None:
    with pytest.raises(LoadError, match="key: value"):
        list(parse_markdown("---\n- a\n- b\n---\nBody.\n", "bad.md"))


def test_empty_body_is_rejected() -> None:
    with pytest.raises(LoadError, match="no article text"):
        list(parse_markdown("---\ntitle: T\n---\n\n# T\n", "empty.md"))


def test_a_url_that_is_not_a_web_address_is_not_kept() -> None:
    article = only_article("---\ntitle: T\nurl: mailto:desk@courier.example\n---\nBody.\n")
    assert article.url is None
    assert article.identity().startswith("sha256:")

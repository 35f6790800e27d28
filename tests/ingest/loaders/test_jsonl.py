import json
from pathlib import Path

import pytest

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.jsonl import FieldMap, parse_json, parse_jsonl

FIXTURES = Path(__file__).parent / "fixtures"


def test_json_list_with_default_and_fallback_keys() -> None:
    text = (FIXTURES / "articles.json").read_text("utf-8")
    first, second = list(parse_json(text, "articles.json", FieldMap()))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.id == "wx-101"
    assert first.title == "Record rainfall floods river market"
    assert first.published == "2024-06-02"
    assert first.url == "https://wire.example/wx-101"
    assert first.source == "Example Wire"
    assert first.author == "Lena Fischer"
    assert first.text.split("\n\n")[1] == "The city opened two emergency shelters."
    assert first.origin == "articles.json#1"
    assert first.extra == {}
    assert second.id == "102"
    assert second.published == "2024-06-03"
    assert second.text.startswith("The central library will stay open")
    assert second.extra == {"section": "Local"}
    assert second.origin == "articles.json#2"


def test_json_articles_wrapper_and_single_object() -> None:
    record = {"title": "T", "text": "Body."}
    wrapped = list(parse_json(json.dumps({"articles": [record, record]}), "w.json", FieldMap()))
    assert len(wrapped) == 2
    single = list(parse_json(json.dumps(record), "s.json", FieldMap()))
    assert [a.text for a in single if isinstance(a, Article)] == ["Body."]


def test_json_whole_file_errors() -> None:
    with pytest.raises(LoadError, match="invalid JSON: Extra data at line 2 column 2"):
        list(parse_json('[\n]]', "bad.json", FieldMap()))
    with pytest.raises(LoadError, match="expected a JSON object or a list of objects, got a string"):
        list(parse_json('"just text"', "bad.json", FieldMap()))


def test_json_non_object_item_is_a_failure() -> None:
    results = list(parse_json('[{"text": "ok"}, 42]', "mixed.json", FieldMap()))
    assert isinstance(results[0], Article)
    assert results[1] == LoadFailure("mixed.json#2", "expected a JSON object, got a number")


def test_jsonl_with_malformed_line_in_the_middle() -> None:
    text = (FIXTURES / "articles.jsonl").read_text("utf-8")
    results = list(parse_jsonl(text, "data/articles.jsonl", FieldMap()))
    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, LoadFailure)]
    assert [a.id for a in articles] == ["a1", "a3"]
    assert [a.origin for a in articles] == ["data/articles.jsonl:1", "data/articles.jsonl:4"]
    assert [a.published for a in articles] == ["2024-08-05", "2024-08-07"]
    assert failures[0].origin == "data/articles.jsonl:3"
    assert failures[0].reason.startswith("invalid JSON: Unterminated string")
    assert failures[1] == LoadFailure(
        "data/articles.jsonl:5", "missing field 'text' (looked for 'text', 'body', 'content')"
    )


def test_configured_field_names() -> None:
    fields = FieldMap.parse("text=story, title=headline,published=issued,author=byline,id=uid")
    line = json.dumps({
        "uid": 7, "headline": "Port expands", "issued": "2024/01/09", "story": ["One.", "Two."],
        "byline": [{"name": "A. Writer"}, {"name": "B. Writer"}], "score": 0.5, "live": True,
        "text": "ignored when story is present",
    })
    (article,) = list(parse_jsonl(line, "custom.jsonl", fields))
    assert isinstance(article, Article)
    assert article.id == "7"
    assert article.title == "Port expands"
    assert article.published == "2024-01-09"
    assert article.text == "One.\n\nTwo."
    assert article.author == "A. Writer, B. Writer"
    assert article.extra == {"score": "0.5", "live": "true",
                             "text": "ignored when story is present"}


def test_missing_title_and_unreadable_date() -> None:
    line = '{"text": "Flood warning lifted for the lower valley.", "date": "soon"}'
    (article,) = list(parse_jsonl(line, "x.jsonl", FieldMap()))
    assert isinstance(article, Article)
    assert article.title == "Flood warning lifted for the lower valley."
    assert article.published is None
    assert article.extra == {"unparsed_date": "soon"}


def test_jsonl_non_object_line() -> None:
    assert list(parse_jsonl("[1, 2]\n", "x.jsonl", FieldMap())) == [
        LoadFailure("x.jsonl:1", "expected a JSON object, got a list")
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [("text", "must look like 'field=key'"), ("colour=c", "unknown field 'colour'"),
     ("text=", "must look like 'field=key'")],
)
def test_field_map_parse_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FieldMap.parse(spec)


def test_field_map_parse_empty_spec_gives_defaults() -> None:
    assert FieldMap.parse("") == FieldMap()


def test_a_url_that_is_not_a_web_address_is_not_kept() -> None:
    line = json.dumps({"title": "T", "text": "Body.", "url": "javascript:alert(1)"})
    (article,) = parse_jsonl(line, "x.jsonl", FieldMap())
    assert isinstance(article, Article)
    assert article.url is None and article.identity().startswith("sha256:")

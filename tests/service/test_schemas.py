"""Request bodies take JSON's own types only: no number read from a string, no boolean from
a word; dates come as ISO strings. Every body model shows examples in ``/docs``, and each
route's examples get answers from the sample corpus."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from service import schemas
from service.app import create_app
from service.assembly import Components
from service.schemas import AskBody, ChatCompletionBody, DocumentsBody, SearchBody


@pytest.mark.parametrize(("model", "body", "error"), [
    (AskBody, {"question": "kettles?", "top_k": "5"}, "int_type"),
    (AskBody, {"question": "kettles?", "top_k": 5.0}, "int_type"),
    (AskBody, {"question": "kettles?", "top_k": True}, "int_type"),
    (AskBody, {"question": "kettles?", "stream": "yes"}, "bool_type"),
    (AskBody, {"question": "kettles?", "stream": 1}, "bool_type"),
    (AskBody, {"question": 42}, "string_type"),
    (AskBody, {"question": "kettles?", "as_of": 20250101}, "date_type"),
    (AskBody, {"question": "kettles?", "history": [{"role": "user", "content": 7}]}, "string_type"),
    (SearchBody, {"query": "kettles", "rerank": "false"}, "bool_type"),
    (SearchBody, {"query": "kettles", "filters": {"sources": [1]}}, "string_type"),
    (DocumentsBody, {"articles": [{"title": "t", "text": "x", "published": 1700000000}]}, "date_type"),
    (ChatCompletionBody, {"messages": [{"role": "user", "content": "hi"}], "stream": "true"}, "bool_type"),
])
def test_strings_where_numbers_or_booleans_go_are_refused(model: type, body: dict, error: str) -> None:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(body)
    assert [e["type"] for e in raised.value.errors()] == [error]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "mailto:desk@paper.example", "/news/ferry"])
def test_an_article_url_must_be_a_web_address(url: str) -> None:
    with pytest.raises(ValidationError) as raised:
        DocumentsBody.model_validate({"articles": [{"title": "t", "text": "x", "url": url}]})
    assert [(e["type"], e["loc"]) for e in raised.value.errors()] == [
        ("url_scheme", ("articles", 0, "url"))]
    kept = DocumentsBody.model_validate({"articles": [{"title": "t", "text": "x",
                                                       "url": "https://paper.example/ferry"}]})
    assert kept.articles[0].url == "https://paper.example/ferry"


def test_json_types_and_iso_dates_are_taken() -> None:
    body = AskBody.model_validate({"question": " kettles? ", "top_k": 3, "stream": True,
                                   "as_of": "2025-01-01", "filters": {"date_from": "2024-01-01"},
                                   "history": [{"role": "user", "content": "hi"}]})
    assert (body.question, body.top_k, body.stream, body.as_of.isoformat()) == ("kettles?", 3, True, "2025-01-01")
    assert body.filters.date_from.isoformat() == "2024-01-01"


@pytest.fixture(scope="module")
def reader(sample_components: Components) -> TestClient:
    return TestClient(create_app(sample_components))


def _body_examples(openapi: dict) -> dict[str, list[dict]]:
    """The examples ``/docs`` shows for each route that takes a JSON body."""
    found = {}
    for path, item in openapi["paths"].items():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                found[path] = openapi["components"]["schemas"][name]["examples"]
    return found


def _events(raw: str) -> list[dict]:
    return [json.loads(line[6:]) for line in raw.splitlines() if line.startswith("data: {")]


def test_every_body_model_and_its_parts_carry_valid_examples() -> None:
    models = [m for m in vars(schemas).values()
              if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == schemas.__name__]
    assert len(models) == 12
    for model in models:
        examples = model.model_config["json_schema_extra"]["examples"]
        assert examples and all(model.model_validate(e) for e in examples), model.__name__


def test_each_routes_example_is_answered_from_the_sample_corpus(reader: TestClient) -> None:
    examples = _body_examples(reader.get("/openapi.json").json())
    assert set(examples) == {"/v1/ask", "/v1/search", "/v1/chat/completions", "/v1/documents", "/v1/feeds",
                             "/v1/collections"}
    for body in examples["/v1/ask"]:
        response = reader.post("/v1/ask", json=body)
        answer = _events(response.text)[-2] if body.get("stream") else response.json()
        assert response.status_code == 200 and not answer["refused"] and answer["citations"], (body, answer)
    [search] = examples["/v1/search"]
    passages = reader.post("/v1/search", json=search).json()["passages"]
    assert passages and "Kessel Pass" in passages[0]["title"]
    plain, streamed = examples["/v1/chat/completions"]
    assert "48,000" in reader.post("/v1/chat/completions", json=plain).json()["choices"][0]["message"]["content"]
    chunks = _events(reader.post("/v1/chat/completions", json=streamed).text)
    assert "$1.9 billion" in "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert chunks[-1]["usage"]["total_tokens"] > 0


def test_the_documents_example_is_ingested(components: Components) -> None:
    client = TestClient(create_app(components))
    [body] = _body_examples(client.get("/openapi.json").json())["/v1/documents"]
    report = client.post("/v1/documents", json=body).json()
    assert report["added"] == [body["articles"][0]["id"]] and not report["failed"], report


def test_the_feeds_example_is_accepted(components: Components) -> None:
    client = TestClient(create_app(components))
    [body] = _body_examples(client.get("/openapi.json").json())["/v1/feeds"]
    added = client.post("/v1/feeds", json=body)
    assert added.status_code == 201 and added.json()["url"] == body["url"], added.text


def test_the_collections_example_is_created(components: Components) -> None:
    client = TestClient(create_app(components))
    [body] = _body_examples(client.get("/openapi.json").json())["/v1/collections"]
    made = client.post("/v1/collections", json=body)
    assert made.status_code == 201 and made.json()["name"] == body["name"], made.text

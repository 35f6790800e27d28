"""Request bodies take JSON's own types only: no number read from a string, no boolean from
a word; dates come as ISO strings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

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


def test_json_types_and_iso_dates_are_taken() -> None:
    body = AskBody.model_validate({"question": " kettles? ", "top_k": 3, "stream": True,
                                   "as_of": "2025-01-01", "filters": {"date_from": "2024-01-01"},
                                   "history": [{"role": "user", "content": "hi"}]})
    assert (body.question, body.top_k, body.stream, body.as_of.isoformat()) == ("kettles?", 3, True, "2025-01-01")
    assert body.filters.date_from.isoformat() == "2024-01-01"

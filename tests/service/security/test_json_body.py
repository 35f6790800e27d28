"""Bodies no strict JSON parser would take get precise 4xx answers over real HTTP, and the
question they carry stays out of the log."""

from __future__ import annotations

import io
from typing import Iterator

import httpx
import pytest

from service.app import create_app
from service.assembly import Components
from tests.logs import captured_logs
from service.security.json_body import invalid_values, not_utf8
from tests.conftest import LiveServer

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(sample_components: Components) -> Iterator[LiveServer]:
    with LiveServer(create_app(sample_components)) as live:
        yield live


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    with captured_logs("INFO") as stream:
        yield stream


@pytest.mark.parametrize(("body", "loc", "msg"), [
    (b'{"question": "kettles?", "top_k": NaN}', ["body", "top_k"], "NaN is not a JSON number"),
    (b'{"question": "kettles?", "top_k": Infinity}', ["body", "top_k"], "Infinity is not a JSON number"),
    (b'{"question": "kettles?", "filters": {"sources": [-Infinity]}}', ["body", "filters", "sources", 0],
     "-Infinity is not a JSON number"),
    (b'{"question": "kettles \\ud800 recall"}', ["body", "question"], "lone surrogate \\ud800 at character 8"),
    (b'{"question": "kettles", "\\udfff": 1}', ["body", "\udfff"], "lone surrogate \\udfff at character 0"),
])
def test_non_finite_numbers_and_lone_surrogates_are_precise_422s(
        server: LiveServer, log_stream: io.StringIO, body: bytes, loc: list, msg: str) -> None:
    response = httpx.post(f"{server.url}/v1/ask", content=body, headers=JSON)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == loc and error["msg"].startswith(msg)
    assert "kettles" not in log_stream.getvalue()
    assert "POST /v1/ask 422" in log_stream.getvalue()


def test_invalid_utf8_is_a_400_that_says_where(server: LiveServer, log_stream: io.StringIO) -> None:
    response = httpx.post(f"{server.url}/v1/search", content=b'{"query": "kettles \xff recall"}', headers=JSON)
    assert response.status_code == 400
    assert response.json()["detail"] == ("the body is not valid UTF-8: byte 0xff at offset 19 "
                                         "(invalid start byte)")
    assert "kettles" not in log_stream.getvalue()


def test_a_number_beyond_float_range_is_a_422(server: LiveServer) -> None:
    """``1e400`` is JSON, but Python reads it as infinity: the error must still serialise."""
    response = httpx.post(f"{server.url}/v1/ask", content=b'{"question": "kettles?", "top_k": 1e400}',
                          headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"type": "int_type", "loc": ["body", "top_k"],
                                          "msg": "Input should be a valid integer"}]


def test_escaped_text_and_chunked_bodies_pass_unchanged(server: LiveServer) -> None:
    """A surrogate pair (an emoji escaped by a client that escapes all non-ASCII text), or a
    body sent in pieces, reaches the route as sent."""
    def pieces() -> Iterator[bytes]:
        yield b'{"question": "How many kettles did Brightwell recall? '
        yield b'\\ud83d\\udd25 NaN-free"}'

    response = httpx.post(f"{server.url}/v1/ask", content=pieces(), headers=JSON)
    assert response.status_code == 200
    assert "48,000" in response.json()["answer"]


def test_not_utf8_names_the_first_bad_byte() -> None:
    assert not_utf8("Zürich".encode()) is None
    assert not_utf8(b"ok \xc3\x28") == "the body is not valid UTF-8: byte 0xc3 at offset 3 (invalid continuation byte)"


def test_invalid_values_leave_text_that_only_spells_the_words_alone() -> None:
    assert invalid_values('{"question": "Is NaN or Infinity a number? \\ud83d\\ude00"}') == []
    assert invalid_values("{not json") == []
    assert invalid_values('[1, {"a": [NaN]}]') == [
        {"type": "finite_number", "loc": ["body", 1, "a", 0], "msg": "NaN is not a JSON number; numbers must be finite"}]

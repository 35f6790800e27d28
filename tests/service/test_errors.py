"""An unexpected error is a bare 500 whose ERROR line names the code but quotes no request
text; the whole exception is kept for DEBUG."""

from __future__ import annotations

import io
import json
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components
from service.errors import code_only_traceback
from tests.logs import captured_logs

SECRET_TEXT = "zebra-striped kettle question"


def _failing() -> None:
    try:
        raise KeyError(SECRET_TEXT)
    except KeyError as exc:
        raise RuntimeError(f"while answering {SECRET_TEXT!r}") from exc


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    with captured_logs("DEBUG") as stream:
        yield stream


def test_traceback_keeps_frames_and_types_but_no_messages() -> None:
    try:
        _failing()
    except RuntimeError as exc:
        text = code_only_traceback(exc)
    assert "builtins.RuntimeError (message withheld)" in text
    assert "builtins.KeyError (message withheld)" in text
    assert "_failing" in text and "while handling:" in text
    assert "zebra" not in text


def test_unexpected_error_logs_no_request_text_above_debug(components: Components,
                                                            log_stream: io.StringIO) -> None:
    app = create_app(components)
    app.add_api_route("/boom", _failing, methods=["POST"])
    response = TestClient(app, raise_server_exceptions=False).post("/boom", json={"q": SECRET_TEXT})
    assert response.status_code == 500 and response.json() == {"detail": "internal error"}
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["logger"] == "newsqa.errors" and "_failing" in error["message"]
    assert not any("zebra" in json.dumps(line) for line in lines if line["level"] != "DEBUG")
    assert any("zebra" in line.get("exception", "") for line in lines if line["level"] == "DEBUG")

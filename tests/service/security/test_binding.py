"""Local open mode: without keys, ``newsqa serve`` listens on loopback only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import uvicorn

from service import cli
from service.observability import logs
from service.security.binding import is_loopback, open_binding_error


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("news.example", False),
])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_keys_allow_any_address() -> None:
    assert open_binding_error("0.0.0.0", keys_configured=True) is None
    assert "NEWSQA_API_KEYS" in open_binding_error("0.0.0.0", keys_configured=False)


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Records ``uvicorn.run`` calls instead of serving."""
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSQA_LLM_BACKEND", "extractive")
    for name in ("NEWSQA_API_KEYS", "NEWSQA_API_KEYS_FILE", "NEWSQA_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(logs, "configure_logging", lambda *a: None)
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    return calls


def test_serve_refuses_a_public_address_without_keys(served: list[dict], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 2
    assert not served
    err = capsys.readouterr().err
    assert "refusing to serve on 0.0.0.0 without API keys" in err and "NEWSQA_API_KEYS_FILE" in err


def test_serve_on_loopback_without_keys(served: list[dict]) -> None:
    assert cli.main(["serve", "--port", "8123"]) == 0
    assert served[0]["host"] == "127.0.0.1" and served[0]["port"] == 8123


def test_serve_on_a_public_address_with_a_key_file(served: list[dict], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"k-0c1d2e3f4a5b": ["query"]}))
    monkeypatch.setenv("NEWSQA_API_KEYS_FILE", str(keys))
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 0
    assert served[0]["host"] == "0.0.0.0" and served[0]["access_log"] is False


def test_serve_stops_on_a_broken_key_file(served: list[dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("k-0c1d2e3f4a5b superuser\n")
    monkeypatch.setenv("NEWSQA_API_KEYS_FILE", str(keys))
    assert cli.main(["serve"]) == 2
    assert not served
    assert "line 1: unknown scope superuser" in capsys.readouterr().err

"""``newsqa feeds add|list|remove`` on a temporary data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.store.feeds import PollRecord
from service import cli
from service.assembly import Components
from service.settings import Settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_add_list_and_remove(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["feeds", "add", "https://harbor.example/rss.xml", "--every", "2h",
                     "--source", "Harbor Ledger"]) == 0
    added = capsys.readouterr().out
    assert "watching" in added and "every 2h as 'Harbor Ledger'" in added
    feed_id = added.split()[1].rstrip(":")
    components = Components(Settings(data_dir=data_dir, _env_file=None))
    components.feed_store.record(feed_id, PollRecord("error", "2025-06-15T15:06:40+00:00", 0.0, 2,
                                                     error="HTTP 500 Internal Server Error"))
    components.close()

    assert cli.main(["feeds", "list"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["id", "every", "last", "fetch", "status", "last", "new", "added", "url"]
    assert table[1].split() == [feed_id, "2h", "2025-06-15T15:06:40+00:00", "error", "x2", "-", "0",
                                "https://harbor.example/rss.xml"]
    assert table[2].split() == ["error:", "HTTP", "500", "Internal", "Server", "Error"]
    assert table[3] == "1 feed"
    assert cli.main(["feeds", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["feeds"][0]["failures"] == 2

    assert cli.main(["feeds", "remove", feed_id]) == 0
    assert "its articles stay" in capsys.readouterr().out
    assert cli.main(["feeds", "remove", feed_id]) == 2
    assert f"no feed with id '{feed_id}'" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["javascript:alert(1)"], "is not an http(s) URL"),
    (["https://harbor.example/rss", "--every", "15 minutes"], "'15 minutes' is not an interval"),
    (["https://harbor.example/rss", "--every", "30s"], "shorter than the shortest interval, 1m"),
    (["https://harbor.example/rss", "--source", " "], "source name must not be empty"),
])
def test_bad_input_is_one_error_line_and_stores_nothing(
        data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert cli.main(["feeds", "add", *args]) == 2
    assert message in capsys.readouterr().err
    cli.main(["feeds", "list"])
    assert capsys.readouterr().out.splitlines()[-1] == "0 feeds"

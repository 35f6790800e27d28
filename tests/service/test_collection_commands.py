"""``newsqa collections`` and ``--collection`` on the other commands: in-process on a data
dir of their own, then as real processes handing their work to a running ``newsqa serve``,
which must write into the collection the command named."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from service import cli
from tests.servers import ApiProcess
from tests.service.test_ingest_command import newsqa

ARTICLE = """---
id: wire-ferry
title: Quorvale ferry strike called off
date: 2026-04-03
source: Wire Desk
---
The Quorvale ferry strike was called off on Friday after the union accepted a 6 percent raise.
"""
QUESTION = "Why was the Quorvale ferry strike called off?"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    news = tmp_path / "wire"
    news.mkdir()
    (news / "ferry.md").write_text(ARTICLE)
    return news


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_collections_are_made_filled_listed_and_deleted_from_the_command_line(
        tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "data"))
    assert run(capsys, "collections", "create", "wire")[0] == 0
    code, _, err = run(capsys, "collections", "create", "wire")
    assert code == 2 and err == "error: collection 'wire' exists already\n"
    with pytest.raises(SystemExit) as bad:
        cli.main(["collections", "create", "Wire Desk"])
    assert bad.value.code == 2 and "is not a collection name" in capsys.readouterr().err

    assert run(capsys, "ingest", "--quiet", "--collection", "wire", str(folder))[0] == 0
    listed = json.loads(run(capsys, "docs", "list", "--collection", "wire", "--json")[1])
    assert [d["id"] for d in listed["documents"]] == ["wire-ferry"]
    assert json.loads(run(capsys, "docs", "list", "--json")[1])["total"] == 0
    stats = json.loads(run(capsys, "stats", "--collection", "wire")[1])
    assert (stats["collection"], stats["documents"], stats["vectors"]) == ("wire", 1, 1)
    assert "Quorvale" in run(capsys, "docs", "show", "wire-ferry", "--collection", "wire")[1]
    assert run(capsys, "docs", "show", "wire-ferry")[0] == 2

    code, _, err = run(capsys, "ingest", "--quiet", "--collection", "sports", str(folder))
    assert code == 2 and "no collection 'sports'" in err and "newsqa collections create sports" in err
    assert run(capsys, "feeds", "add", "https://wire.example/rss", "--collection", "wire")[0] == 0
    assert "wire.example" not in run(capsys, "feeds", "list")[1]
    assert "wire.example" in run(capsys, "feeds", "list", "--collection", "wire")[1]

    rows = json.loads(run(capsys, "collections", "list", "--json")[1])["collections"]
    assert [(r["name"], r["documents"]) for r in rows] == [("default", 0), ("wire", 1)]
    code, _, err = run(capsys, "collections", "delete", "default")
    assert code == 2 and "cannot be deleted" in err
    assert run(capsys, "collections", "delete", "wire")[0] == 0
    assert run(capsys, "docs", "list", "--collection", "wire")[0] == 2
    assert run(capsys, "collections", "delete", "wire")[0] == 2


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NEWSQA_DATA_DIR": str(tmp_path / "data"), "NEWSQA_LLM_BACKEND": "extractive"}


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[ApiProcess]:
    running = ApiProcess(env).wait_ready()
    yield running
    running.stop()


def ask(server: ApiProcess, collection: str) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION, "collection": collection}, timeout=120)


def test_commands_next_to_the_service_hand_it_their_collection(
        env: dict[str, str], server: ApiProcess, folder: Path) -> None:
    made = newsqa(env, "collections", "create", "wire")
    assert made.returncode == 0 and "it does the writing" in made.stderr, made.stderr
    added = newsqa(env, "ingest", "--quiet", "--collection", "wire", str(folder))
    assert added.returncode == 0 and "added 1" in added.stdout, added.stderr
    cited = {c["doc_id"] for c in ask(server, "wire").json()["citations"]}
    assert cited == {"wire-ferry"}
    assert not ask(server, "default").json()["citations"]
    listed = newsqa(env, "docs", "list", "--collection", "wire")
    assert "wire-ferry" in listed.stdout

    deleted = newsqa(env, "docs", "delete", "wire-ferry", "--collection", "wire")
    assert deleted.returncode == 0, deleted.stderr
    assert not ask(server, "wire").json()["citations"]
    dropped = newsqa(env, "collections", "delete", "wire")
    assert dropped.returncode == 0, dropped.stderr
    assert ask(server, "wire").status_code == 404
    assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200


def test_serve_refuses_a_default_collection_that_does_not_exist(env: dict[str, str]) -> None:
    refused = newsqa(env, "serve", "--port", "1", "--collection", "sports")
    assert refused.returncode == 2 and "no collection 'sports'" in refused.stderr

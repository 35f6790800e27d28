"""The command's side of a handoff, against the real app over HTTP: articles go in batches
with their origins, one the API would refuse is reported alone, ids with URL characters
survive the path, and the run's token is what grants the admin scope."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import LiveServer
from ingest.article import Article, LoadFailure
from ingest.pipeline import Progress
from service.app import create_app
from service.assembly import Components
from service.data_dir_claim import Claim, Holder
from service.handoff import BATCH_ARTICLES, HandoffError, ServiceClient, batches, ingest_through
from service.security.api_keys import KeyStore
from service.security.rate_limit import RateLimiter

TOKEN = "run-token-0123456789"


def _article(i: int, **fields: str) -> Article:
    return Article(title=f"Tram line {i} extended", text=f"Tram line {i} now runs to the harbour.",
                   id=f"metro/tram-{i}?v=1", origin=f"wire.jsonl:{i}", **fields)


@pytest.fixture
def serving(components: Components, tmp_path: Path) -> Iterator[tuple[Holder, Path]]:
    components.key_store = KeyStore.load('{"reader-key-0123456789": ["query"]}', None).with_local_token(TOKEN)
    components.warm_up()
    claim = Claim.take(tmp_path / "claimed")
    assert claim is not None
    with LiveServer(create_app(components)) as server:
        holder = Holder(os.getpid(), "serve", url=server.url, token=TOKEN)
        claim.publish(holder)
        yield holder, tmp_path / "claimed"
    claim.release()


def test_articles_go_in_batches_and_come_back_as_one_report(serving: tuple[Holder, Path], components: Components) -> None:
    holder, data_dir = serving
    client = ServiceClient(holder, data_dir, "default")
    assert client.wait_ready(30, pytest.fail)
    items: list[Article | LoadFailure] = [_article(i) for i in range(BATCH_ARTICLES + 2)]
    items += [_article(99, author="x" * 301), LoadFailure("broken.jsonl:3", "invalid JSON"),
              Article(title="Blank", text="   ", origin="blank.md")]
    events: list[Progress] = []
    report = ingest_through(client, items, events.append)
    assert len(report.added) == BATCH_ARTICLES + 2
    assert [(f.origin, f.reason.split(":")[0]) for f in report.failed] == [
        ("wire.jsonl:99", "not accepted by the service"), ("broken.jsonl:3", "invalid JSON"),
        ("blank.md", "article has no text after cleaning")]
    assert "author: String should have at most 300 characters" in report.failed[0].reason
    assert sum(e.documents for e in events) == BATCH_ARTICLES + 4  # every article, once
    doc = components.catalog.get("metro/tram-3?v=1")
    assert doc is not None and doc.origin == "wire.jsonl:3"

    assert client.delete("metro/tram-3?v=1") is True
    assert client.delete("metro/tram-3?v=1") is False
    assert components.catalog.get("metro/tram-3?v=1") is None
    client.close()


def test_without_the_runs_token_the_service_refuses_and_the_command_says_why(serving: tuple[Holder, Path]) -> None:
    holder, data_dir = serving
    client = ServiceClient(Holder(holder.pid, "serve", url=holder.url, token="reader-key-0123456789"), data_dir, "default")
    with pytest.raises(HandoffError, match=r"refused POST /v1/documents: 403 .*lacks the 'admin' scope"):
        client.add([_article(1)])
    client.close()


def test_a_service_that_ended_is_not_waited_for(serving: tuple[Holder, Path]) -> None:
    holder, data_dir = serving
    gone = Holder(holder.pid, "serve", url="http://127.0.0.1:9", token=TOKEN)  # not what the file says
    assert ServiceClient(gone, data_dir, "default").wait_ready(30, pytest.fail) is False


def test_batches_are_bounded_by_count_and_size() -> None:
    small = [_article(i) for i in range(BATCH_ARTICLES * 2 + 1)]
    assert [len(b) for b in batches(small)] == [BATCH_ARTICLES, BATCH_ARTICLES, 1]
    big = [Article(title="Long read", text="word " * 50_000, id=f"long-{i}") for i in range(3)]
    assert [len(b) for b in batches(big)] == [1, 1, 1]


def test_over_the_rate_limit_the_command_waits_as_told_and_goes_on(
        serving: tuple[Holder, Path], components: Components) -> None:
    holder, data_dir = serving
    components.rate_limiter = RateLimiter(per_minute=60, burst=1)
    client = ServiceClient(holder, data_dir, "default")
    started = time.monotonic()
    assert client.add([_article(1)]).added == ["metro/tram-1?v=1"]
    assert client.add([_article(2)]).added == ["metro/tram-2?v=1"]  # a 429 first, Retry-After: 1
    assert time.monotonic() - started >= 0.9
    client.close()

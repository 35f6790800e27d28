"""A real ``newsqa serve`` process (real Chroma files, packaged models, extractive answers)
watching a feed on a local server: a feed added over HTTP while it runs is polled, and a new
entry becomes answerable after the next poll, with no restart."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.feed_server import Entry, FeedSite
from tests.servers import wait_until
from tests.service.test_scale_out import ApiProcess

FERRY = Entry("ferry-1", "Harbor City ferry fares frozen",
              text="Harbor City's ferry fares will stay at $3 a ride until 2027, the transit board decided.")
LIGHTHOUSE = Entry("lighthouse-2", "Quillmouth lighthouse keeper retires",
                   text="Quillmouth's lighthouse keeper, Edna Marrow, retired on Friday after 41 years "
                        "at the lamp, the harbour trust said.")


class Serving:
    """``newsqa serve`` on a data dir of its own; can be killed hard and started again on it."""

    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.env = {**os.environ, "NEWSQA_DATA_DIR": str(data_dir), "NEWSQA_LLM_BACKEND": "extractive",
                    "NEWSQA_FEED_MIN_INTERVAL_S": "1", "NEWSQA_FEED_TICK_S": "0.2",
                    "NEWSQA_LOG_LEVEL": "WARNING", **settings}
        self.api: ApiProcess | None = None

    def start(self) -> str:
        self.api = ApiProcess(self.env)
        self.api.wait_ready()
        return self.api.url

    def kill(self) -> None:
        assert self.api is not None
        self.api.process.kill()
        self.api.process.wait(timeout=30)

    def stop(self) -> None:
        if self.api is not None and self.api.process.poll() is None:
            self.api.stop()


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[Serving]:
    process = Serving(tmp_path / "data", NEWSQA_FEED_LEASE_S="2")
    yield process
    process.stop()


@pytest.fixture
def service(serving: Serving) -> str:
    return serving.start()


def _ask(url: str, question: str) -> dict[str, object]:
    response = httpx.post(f"{url}/v1/ask", json={"question": question}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def _polls(url: str, feed_id: str) -> int:
    metrics = httpx.get(f"{url}/metrics", timeout=5).text
    return int(sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                   if line.startswith(f'newsqa_feed_polls_total{{feed="{feed_id}"')))


def test_a_feed_added_while_serving_makes_its_new_entries_answerable(
        service: str, site: FeedSite, feed_base: str) -> None:
    site.set_feed("/rss", [FERRY], etag='"v1"')
    added = httpx.post(f"{service}/v1/feeds", json={"url": f"{feed_base}/rss", "every": "1s",
                                                   "source": "Harbor Ledger"}, timeout=10)
    assert added.status_code == 201, added.text
    feed_id = added.json()["feed_id"]
    wait_until(lambda: _polls(service, feed_id) >= 1, "the first poll", timeout_s=30)
    first = _ask(service, "How much will Harbor City's ferry fares be until 2027?")
    assert not first["refused"] and "$3" in str(first["answer"])

    wait_until(lambda: _polls(service, feed_id) >= 3, "polls answered 304", timeout_s=30)
    assert ("/rss", '"v1"', None) in site.requests  # conditional requests after the first poll
    site.set_feed("/rss", [LIGHTHOUSE, FERRY], etag='"v2"')
    wait_until(lambda: httpx.get(f"{service}/v1/feeds/{feed_id}", timeout=5).json()["articles_added"] == 2,
               "the poll that finds the new entry", timeout_s=30)
    answer = _ask(service, "How many years did Quillmouth's lighthouse keeper spend at the lamp?")
    assert not answer["refused"] and "41" in str(answer["answer"])
    citations = answer["citations"]
    assert isinstance(citations, list) and citations[0]["doc_id"] == "lighthouse-2"
    assert citations[0]["source"] == "Harbor Ledger"
    feed = httpx.get(f"{service}/v1/feeds/{feed_id}", timeout=5).json()
    assert feed["failures"] == 0 and feed["last_new_at"] is not None
    listing = httpx.get(f"{service}/v1/documents", timeout=5).json()
    assert listing["total"] == 2  # re-polls duplicated nothing


def test_a_service_killed_mid_poll_loses_and_duplicates_nothing_after_a_restart(
        serving: Serving, site: FeedSite, feed_base: str) -> None:
    entries = []
    for n in range(3):
        site.set_html(f"/news/{n}", f"Quillmouth council report {n}",
                      [f"The Quillmouth council approved budget line {n} worth {n + 2} million euros."])
        site.pages[f"/news/{n}"].delay_s = 1.5
        entries.append(Entry(f"council-{n}", f"Council report {n}", summary="In brief.", link=f"{feed_base}/news/{n}"))
    site.set_feed("/rss", entries)
    url = serving.start()
    feed_id = httpx.post(f"{url}/v1/feeds", json={"url": f"{feed_base}/rss", "every": "1h"},
                         timeout=10).json()["feed_id"]
    wait_until(lambda: "/news/1" in site.paths(), "the poll to reach the second page", timeout_s=60)
    serving.kill()  # mid-poll: pages downloaded, nothing indexed or recorded yet

    url = serving.start()
    wait_until(lambda: httpx.get(f"{url}/v1/feeds/{feed_id}", timeout=5).json()["last_status"] == "new",
               "the repeated poll", timeout_s=60)
    feed = httpx.get(f"{url}/v1/feeds/{feed_id}", timeout=5).json()
    documents = httpx.get(f"{url}/v1/documents", timeout=5).json()
    assert feed["articles_added"] == 3 and documents["total"] == 3
    assert sorted(d["id"] for d in documents["documents"]) == ["council-0", "council-1", "council-2"]

"""The bounded queue in front of the language model: a fixed number generate, a fixed number
wait, the rest get 503 with Retry-After at once."""

from __future__ import annotations

import threading
import time
from typing import Iterator, Sequence

import httpx
import pytest
from fastapi.testclient import TestClient
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from service.app import create_app
from service.assembly import Components
from service.errors import ModelBusy
from service.llm.chat_models import LLMHandle
from service.llm.queue import LLMQueue, QueuedGenerator
from service.retrieval.passages import Passage
from tests.conftest import LiveServer

QUESTION = "How many kettles did Brightwell recall?"


class SlowGenerator:
    """Writes one piece, then holds its turn until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0

    def stream(self, question: str, passages: Sequence[Passage], as_of: str | None, *,
               asked: str) -> Iterator[str]:
        self.calls += 1
        yield "Brightwell recalled 48,000 kettles."
        self.release.wait(timeout=60)


def _wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_queue_admits_running_plus_queued_then_refuses() -> None:
    queue = LLMQueue(running=1, queued=1, wait_s=5, retry_after_s=7)
    holding = threading.Event()
    done = threading.Event()

    def hold() -> None:
        with queue.slot():
            holding.set()
            done.wait(10)

    def wait_in_line() -> None:
        with queue.slot():
            pass

    first = threading.Thread(target=hold)
    first.start()
    holding.wait(5)
    second = threading.Thread(target=wait_in_line)
    second.start()
    _wait_for(lambda: queue.waiting == 1)
    assert queue.running == 1
    with pytest.raises(ModelBusy) as caught:
        with queue.slot():
            pass
    assert caught.value.retry_after_s == 7 and "retry in 7 s" in str(caught.value)
    done.set()
    first.join(5)
    second.join(5)
    assert queue.running == 0 and queue.waiting == 0


def test_waiting_too_long_gives_up() -> None:
    queue = LLMQueue(running=1, queued=1, wait_s=0.05)
    with queue.slot():
        with pytest.raises(ModelBusy, match="no turn within 0.05 s"):
            with queue.slot():
                pass
    assert queue.waiting == 0


def test_a_stream_closed_early_gives_its_turn_back() -> None:
    queue = LLMQueue(running=1, queued=0, wait_s=1)
    slow = SlowGenerator()
    stream = QueuedGenerator(slow, queue).stream("q", [], None, asked="q")
    assert next(stream)
    assert queue.running == 1
    stream.close()
    assert queue.running == 0


def test_full_queue_is_a_503_with_retry_after(sample_components: Components) -> None:
    """One request generates, none may wait (queue size 0): a second one is turned away."""
    components = Components(sample_components.settings.model_copy(update={
        "llm_queue_size": 0, "llm_parallel": 1}))
    components.embedder = sample_components.embedder
    components.reranker = sample_components.reranker
    slow = SlowGenerator()
    components.generator = QueuedGenerator(slow, components.llm_queue)
    results: list[httpx.Response] = []
    with LiveServer(create_app(components)) as server:
        first = threading.Thread(target=lambda: results.append(
            httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=60)))
        first.start()
        _wait_for(lambda: components.llm_queue.running == 1)
        busy = httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=60)
        gauges = httpx.get(f"{server.url}/metrics").text
        slow.release.set()
        first.join(60)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "5"
    assert "language model is busy" in busy.json()["detail"]
    assert "newsqa_llm_in_flight 1.0" in gauges and "newsqa_llm_queue_depth 0.0" in gauges
    assert results[0].status_code == 200 and slow.calls == 1


def test_a_follow_up_s_rewrite_takes_a_turn_in_the_model_queue(sample_components: Components) -> None:
    """With the model's only turn taken and no room to wait, a follow-up that needs
    rewriting is a 503 before anything reaches the model (an empty reply list would fail
    on the first call)."""
    components = Components(sample_components.settings.model_copy(update={
        "llm_queue_size": 0, "llm_parallel": 1}))
    components.embedder = sample_components.embedder
    components.reranker = sample_components.reranker
    components.llm = LLMHandle(FakeListChatModel(responses=[]))
    client = TestClient(create_app(components))
    with components.llm_queue.slot():
        busy = client.post("/v1/ask", json={"question": "And what about Baidu?", "history": [
            {"role": "user", "content": "Which company did Apple first choose as its AI partner in China?"}]})
    assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
    assert "language model is busy" in busy.json()["detail"]

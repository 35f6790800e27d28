"""Turns admit at most n holders and hand freed turns to waiters in arrival order."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from service.retrieval.turns import Turns


def _wait_until(condition: object, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.001)


def test_waiters_get_their_turn_in_arrival_order() -> None:
    turns = Turns(1)
    order: list[int] = []
    queued: list[int] = []
    release = threading.Event()

    def holder() -> None:
        with turns:
            release.wait()

    def waiter(n: int) -> None:
        queued.append(n)
        with turns:
            order.append(n)

    first = threading.Thread(target=holder)
    first.start()
    _wait_until(lambda: turns._free == 0)
    threads = []
    for n in range(8):
        thread = threading.Thread(target=waiter, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_until(lambda: len(turns._waiting) == n + 1)
    release.set()
    first.join()
    for thread in threads:
        thread.join()
    assert queued == list(range(8))
    assert order == list(range(8))


def test_no_more_than_n_hold_a_turn_and_every_turn_comes_back() -> None:
    turns = Turns(3)
    steps: list[int] = []  # +1 on taking a turn, -1 on leaving it, in the order they happen

    def work() -> None:
        with turns:
            steps.append(1)
            time.sleep(0.005)
            steps.append(-1)

    threads = [threading.Thread(target=work) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(itertools.accumulate(steps)) == 3
    assert turns._free == 3 and not turns._waiting


def test_a_turn_is_returned_when_the_work_fails() -> None:
    turns = Turns(1)
    with pytest.raises(RuntimeError):
        with turns:
            raise RuntimeError("search failed")
    with turns:
        assert turns._free == 0


def test_zero_turns_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Turns(0)

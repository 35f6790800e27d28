"""The local model's thread count sees other programs' load and ignores the server's own."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from service.llm.free_cores import cores_left, free_cores

USABLE = len(os.sched_getaffinity(0))
needs_two_cores = pytest.mark.skipif(USABLE < 2, reason="needs at least 2 usable cores")


@pytest.mark.parametrize(("usable", "others", "expected"), [
    (2, 0.0, 2), (2, 0.4, 2), (2, 0.9, 1), (2, 3.0, 1), (4, 1.2, 3), (2, -0.3, 2), (1, 0.0, 1),
])
def test_cores_left_rounds_other_work_to_whole_cores(usable: int, others: float, expected: int) -> None:
    assert cores_left(usable, others) == expected


@pytest.fixture
def busy_process() -> Iterator[None]:
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    time.sleep(0.5)
    yield
    child.kill()
    child.wait()


@needs_two_cores
def test_a_busy_process_takes_a_core(busy_process: None) -> None:
    assert free_cores() <= USABLE - 1


@needs_two_cores
def test_this_process_own_work_leaves_its_cores_free() -> None:
    idle = free_cores()
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            pass

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        while_busy = free_cores()
    finally:
        stop.set()
        spinner.join()

    assert while_busy >= idle

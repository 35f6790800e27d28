"""The allocator limits reach glibc: checked in child processes through glibc's own
``malloc_stats`` report, since a process's allocator can be tuned only once."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from service.allocator import tune_allocator

PROJECT_ROOT = Path(__file__).resolve().parents[2]
glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")

PRELUDE = """
import ctypes, sys, threading
from service.allocator import tune_allocator
tune_allocator(int(sys.argv[1]), int(sys.argv[2]))
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
"""

MANY_THREADS = """
barrier = threading.Barrier(12)
def work():
    barrier.wait()
    for _ in range(2000):
        libc.free(ctypes.c_void_p(libc.malloc(4096)))
threads = [threading.Thread(target=work) for _ in range(12)]
[t.start() for t in threads]
[t.join() for t in threads]
libc.malloc_stats()
"""

LARGE_BLOCKS = """
libc.free(ctypes.c_void_p(libc.malloc(8 * 1024 * 1024)))
blocks, pins = [], []
for _ in range(40):
    blocks.append(libc.malloc(2 * 1024 * 1024))
    pins.append(libc.malloc(64 * 1024))
for b in blocks:
    ctypes.memset(b, 1, 2 * 1024 * 1024)
for b in blocks:
    libc.free(ctypes.c_void_p(b))
libc.malloc_stats()
"""


def _malloc_stats(program: str, arenas: int, mmap_threshold_kb: int) -> str:
    done = subprocess.run([sys.executable, "-c", PRELUDE + program, str(arenas), str(mmap_threshold_kb)],
                          capture_output=True, text=True, check=True, timeout=60, cwd=PROJECT_ROOT)
    return done.stderr


@glibc_only
def test_glibc_takes_both_limits() -> None:
    assert tune_allocator(2, 1024) == ["arenas", "mmap threshold"]


def test_zeros_leave_the_allocator_alone() -> None:
    assert tune_allocator(0, 0) == []


@glibc_only
def test_threads_share_the_limited_arenas() -> None:
    """One block per arena in the report: 12 threads allocating at once get arenas of
    their own without the limit, and share two with it."""
    assert _malloc_stats(MANY_THREADS, 2, 0).count("Arena ") <= 2
    assert _malloc_stats(MANY_THREADS, 0, 0).count("Arena ") > 2


@glibc_only
def test_large_blocks_go_back_to_the_system_on_free() -> None:
    """Once an 8 MB block has been freed, glibc's sliding threshold puts 2 MB blocks on the
    heap, where blocks of 64 kB allocated between them keep their memory after they are
    freed; a fixed 1 MB threshold maps them and unmaps them on free."""
    def heap_bytes(threshold_kb: int) -> int:
        report = _malloc_stats(LARGE_BLOCKS, 0, threshold_kb)
        return int([line for line in report.splitlines() if line.startswith("system bytes")][-1]
                   .split("=")[1])

    assert heap_bytes(1024) < 20 * 1024 * 1024
    assert heap_bytes(0) > 40 * 1024 * 1024

"""The arena limit reaches glibc's allocator in a serving process."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from service.allocator import limit_malloc_arenas

PROJECT_ROOT = Path(__file__).resolve().parents[2]
glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")


@glibc_only
def test_glibc_takes_the_limit() -> None:
    assert limit_malloc_arenas(2) is True


def test_zero_leaves_the_allocator_alone() -> None:
    assert limit_malloc_arenas(0) is False


@glibc_only
def test_threads_share_the_limited_arenas() -> None:
    """glibc's malloc_stats lists one block per arena on stderr: 12 threads allocating at
    once get their own arenas without the limit, and share two with it."""
    program = """
import ctypes, sys, threading
from service.allocator import limit_malloc_arenas
limit_malloc_arenas(int(sys.argv[1]))
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
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
    def arenas(limit: int) -> int:
        done = subprocess.run([sys.executable, "-c", program, str(limit)], capture_output=True,
                              text=True, check=True, timeout=60, cwd=PROJECT_ROOT)
        return done.stderr.count("Arena ")

    assert arenas(2) <= 2
    assert arenas(0) > 2

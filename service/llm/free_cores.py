"""How many cores the local model may take: those no other process is using right now.

llama.cpp threads spin: one thread more than the free cores collapses generation (measured
0.5 tok/s with 2 threads beside a busy process, 12 tok/s with 1), so the count must see
other programs' load. It must not see this process's own: a server loads its encoder and
reranker just before the model, and the one-minute load average that once decided the
count still held that work (and whatever ran the minute before), so a 2-core machine got
one llama.cpp thread: 3.8 generated tokens/s and 11.5 s to the first token, against 6-8
tokens/s with both cores on the same idle machine.
"""

from __future__ import annotations

import os
import time

import psutil

SAMPLE_S = 0.5


def free_cores(sample_s: float = SAMPLE_S) -> int:
    """Usable cores minus the cores other processes kept busy over ``sample_s``; at least 1."""
    me = psutil.Process()
    me.cpu_percent(None)
    psutil.cpu_percent(None)
    time.sleep(sample_s)
    own = me.cpu_percent(None) / 100
    everyone = psutil.cpu_percent(None) / 100 * (psutil.cpu_count() or 1)
    return cores_left(len(os.sched_getaffinity(0)), everyone - own)


def cores_left(usable: int, others_busy: float) -> int:
    """``others_busy`` in cores (1.0: one core's worth of other work)."""
    return max(1, min(usable, usable - round(max(0.0, others_busy))))

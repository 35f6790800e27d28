"""Python's cycle collector in a long-running server.

A warm server holds about 240,000 objects that Python's cycle collector tracks (modules,
the app, the models' Python side), all made at start-up and kept to the end. Each full
collection walked every one of them: 150 ms on a slow 2-core CPU, with every request
thread stopped, and searches that fill caches set one off every few dozen requests (a
month's search at 100k articles took 170-210 ms instead of 15-20 ms when one fell in it).
Frozen, they are left out of every collection; what requests make is still collected.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collects start-up's garbage, then freezes what is left; run once everything is
    loaded, before requests arrive."""
    gc.collect()
    gc.freeze()


def thaw_startup_heap() -> None:
    """Hands the frozen objects back to the collector when the app stops, so that a
    process that builds apps one after another (tests, an embedding program) frees them."""
    gc.unfreeze()

"""Child processes whose writes fail the way a production host's do: a read-only data dir and a
full disk. The failures are real (the kernel refuses the writes), so the tests see exactly
what the stores' libraries raise.

CI runs as root, whom file modes do not stop. A root child therefore loses, before it starts,
the capabilities that let root ignore file modes; it keeps uid 0, so it can still read the
interpreter and the packages, which live under root's home directory.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3
# Loaded here, not in the forked child, where loading a library is not safe.
_LIBC = ctypes.CDLL(None, use_errno=True)


@contextmanager
def read_only(root: Path) -> Iterator[None]:
    """Take write permission away from ``root`` and everything below it, then give it back
    so the temporary directory can be removed."""
    paths = [root, *root.rglob("*")]
    modes = {path: path.stat().st_mode for path in paths}
    for path in paths:
        path.chmod(modes[path] & ~0o222)
    try:
        yield
    finally:
        for path in paths:
            path.chmod(modes[path])


def bound_by_file_modes() -> Callable[[], None] | None:
    """A ``preexec_fn`` after which even a root child gets "permission denied" from a
    read-only directory; None when the tests do not run as root."""
    return _drop_root_overrides if os.geteuid() == 0 else None


def _drop_root_overrides() -> None:
    """Removed from the bounding set, the capabilities are not granted on ``exec``."""
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if _LIBC.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"prctl(PR_CAPBSET_DROP, {cap}) failed")


def file_size_limit(max_bytes: int) -> Callable[[], None]:
    """A ``preexec_fn`` making any write that would grow a file past ``max_bytes`` fail with
    EFBIG, as a full disk fails with ENOSPC: the one kind of full disk a test can give a
    single process. SIGXFSZ is ignored, so the write fails instead of killing the child."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return limit

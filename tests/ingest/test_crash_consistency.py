"""A real ``newsqa ingest`` process killed with SIGKILL mid-batch, then run again."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.ingest.ingest_runs import (DOCS, assert_index_complete, ingest_env, ready_docs,
                                      start_ingest, write_export)


def test_killed_ingest_is_completed_by_a_rerun_without_duplicates(tmp_path: Path) -> None:
    export = tmp_path / "wire.jsonl"
    write_export(export)
    data_dir = tmp_path / "data"
    env = ingest_env(data_dir)

    first = start_ingest(export, env)
    deadline = time.monotonic() + 180
    while ready_docs(data_dir) < 8 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "ingest finished before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert 0 < ready_docs(data_dir) < DOCS

    second = start_ingest(export, env)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()
    assert "failed 0" in out.decode()
    assert_index_complete(data_dir)

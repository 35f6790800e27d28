"""The query benchmark refuses to time an empty index instead of reporting refusals as
latencies."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.bench import query_bench


def test_an_empty_index_is_refused_with_a_clear_message(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = query_bench.main(["--skip-ingest", "--data-dir", str(tmp_path / "data"),
                             "--bench", str(tmp_path)])
    assert code == 2
    assert "no articles are indexed" in capsys.readouterr().err

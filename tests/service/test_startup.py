"""A real ``newsqa serve`` that must not start: a damaged local model file or a read-only
data dir ends it within seconds, before the port opens, with one ``error:`` line naming the
file, what is wrong with it and what to do; never a traceback, never a first question that
fails instead."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from eval.bench.common import free_port
from service.llm.model_files import get_model, sidecar_path
from tests.write_faults import bound_by_file_modes, read_only

MODEL = get_model("qwen2.5-coder-0.5b")


def _serve(data_dir: Path, preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """Start the server on the local backend; a server that came up would hit the timeout."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSQA_")}
    env.update(NEWSQA_DATA_DIR=str(data_dir), NEWSQA_LLM_BACKEND="local",
               NEWSQA_LOCAL_MODEL=MODEL.name)
    return subprocess.run([sys.executable, "-m", "service.cli", "serve", "--port", str(free_port())],
                          env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=preexec_fn)


def _error_line(run: subprocess.CompletedProcess[str]) -> str:
    """Exit code 2, nothing on stdout (no server log), and stderr exactly one error line."""
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    return lines[0]


def _model_file(data_dir: Path, size: int) -> Path:
    """A file under the model's name that is not the model: zeros behind a GGUF magic, sparse
    so that it costs no disk space."""
    path = data_dir / "models" / f"{MODEL.name}.gguf"
    path.parent.mkdir(parents=True)
    with path.open("wb") as f:
        f.write(b"GGUF")
        f.truncate(size)
    return path


def test_model_file_of_the_right_size_but_wrong_bytes_stops_the_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    path = _model_file(data_dir, MODEL.size)

    line = _error_line(_serve(data_dir))

    found = re.fullmatch(rf"error: model file {re.escape(str(path))} has sha256 ([0-9a-f]{{64}}), "
                         rf"expected {MODEL.sha256}; it is damaged or was changed\. Delete it and "
                         rf"start again to re-assemble it from the installed packages\.", line)
    assert found and found.group(1) != MODEL.sha256, line
    assert path.stat().st_size == MODEL.size and not sidecar_path(path).exists()


def test_truncated_model_file_stops_the_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    size = MODEL.size // 3
    path = _model_file(data_dir, size)

    line = _error_line(_serve(data_dir))

    assert line == (f"error: model file {path} is truncated: {size} of {MODEL.size} bytes. Delete "
                    f"it and start again to re-assemble it from the installed packages.")


def test_read_only_data_dir_stops_the_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    with read_only(data_dir):
        line = _error_line(_serve(data_dir, bound_by_file_modes()))

    assert line.startswith(f"error: cannot write {data_dir}: Permission denied; make {data_dir} "
                           f"writable for user "), line
    assert line.endswith("or set NEWSQA_DATA_DIR to a directory that is")
    assert list(data_dir.iterdir()) == []

"""A real ``newsqa ingest`` whose writes fail: a read-only data dir is refused up front with
one line; a disk that fills up mid-run ends it with one line, leaves a consistent index, and a
rerun completes it with no duplicates and nothing missing."""

from __future__ import annotations

from pathlib import Path

from tests.ingest.ingest_runs import (DOCS, assert_index_complete, index_ids, ingest_env,
                                      ready_docs, start_ingest, write_export)
from tests.write_faults import bound_by_file_modes, file_size_limit, read_only

# Small enough that the catalog's or Chroma's files outgrow it after a few of the 30 batches.
FILE_SIZE_LIMIT = 300_000


def _error_line(err: bytes) -> str:
    """The whole of stderr, which must be one ``error:`` line and no traceback."""
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err.decode()
    return lines[0]


def test_read_only_data_dir_is_refused_with_one_line(tmp_path: Path) -> None:
    export = tmp_path / "wire.jsonl"
    write_export(export)
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    with read_only(data_dir):
        run = start_ingest(export, ingest_env(data_dir), bound_by_file_modes())
        out, err = run.communicate(timeout=120)

    assert run.returncode == 2
    line = _error_line(err)
    assert f"cannot write {data_dir}: Permission denied" in line
    assert f"make {data_dir} writable for user" in line and "NEWSQA_DATA_DIR" in line
    assert out == b"" and list(data_dir.iterdir()) == []


def test_disk_filling_up_mid_run_is_reported_and_a_rerun_completes(tmp_path: Path) -> None:
    export = tmp_path / "wire.jsonl"
    write_export(export)
    data_dir = tmp_path / "data"
    env = ingest_env(data_dir)

    full = start_ingest(export, env, file_size_limit(FILE_SIZE_LIMIT))
    _, err = full.communicate(timeout=300)

    assert full.returncode == 2
    line = _error_line(err)
    assert (f"cannot write the catalog {data_dir / 'catalog.sqlite3'}: " in line
            or f"cannot write the vector store {data_dir / 'chroma'}: " in line), line
    assert "running the same command or request again completes it" in line
    done = ready_docs(data_dir)
    assert 0 < done < DOCS, "the writes did not start failing mid-run"
    catalog_ids, vector_ids, _, kept_vectors = index_ids(data_dir)
    assert catalog_ids <= set(vector_ids), "a catalogued chunk has no vector"
    assert set(kept_vectors) == catalog_ids, "a chunk and its kept vector were not written together"

    rerun = start_ingest(export, env)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    assert f"added {DOCS - done}, updated 0, unchanged {done}, failed 0" in out.decode()
    assert_index_complete(data_dir)

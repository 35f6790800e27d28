"""A real ``newsqa ingest`` process killed with SIGKILL mid-batch, then run again."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import chromadb

DOCS = 120


def _write_export(path: Path) -> None:
    with path.open("w") as out:
        for i in range(DOCS):
            out.write(json.dumps({
                "id": f"wire-{i}", "title": f"Council session {i} approves transit plan",
                "published": "2025-03-01", "source": "Metro Wire",
                "text": f"At session {i}, the council approved {i} new bus shelters. "
                        "The vote passed after a long debate about costs and routes.",
            }) + "\n")


def _ready_docs(data_dir: Path) -> int:
    catalog = data_dir / "catalog.sqlite3"
    if not catalog.exists():
        return 0
    try:
        with sqlite3.connect(catalog, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents WHERE state='ready'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _ingest(export: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "service.cli", "ingest", "--quiet", str(export)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_ingest_is_completed_by_a_rerun_without_duplicates(tmp_path: Path) -> None:
    export = tmp_path / "wire.jsonl"
    _write_export(export)
    data_dir = tmp_path / "data"
    env = {**os.environ, "NEWSQA_DATA_DIR": str(data_dir), "NEWSQA_INGEST_BATCH_CHUNKS": "4"}

    first = _ingest(export, env)
    deadline = time.monotonic() + 180
    while _ready_docs(data_dir) < 8 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "ingest finished before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert 0 < _ready_docs(data_dir) < DOCS

    second = _ingest(export, env)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()
    assert "failed 0" in out.decode()

    with sqlite3.connect(data_dir / "catalog.sqlite3") as conn:
        docs = conn.execute("SELECT COUNT(*) FROM documents WHERE state='ready'").fetchone()[0]
        catalog_ids = {r[0] for r in conn.execute("SELECT chunk_id FROM chunks")}
        fts_rows = conn.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
    collection = chromadb.PersistentClient(path=str(data_dir / "chroma")).get_collection("news_chunks")
    vector_ids = collection.get(include=[])["ids"]
    assert docs == DOCS
    assert len(vector_ids) == len(set(vector_ids)) == len(catalog_ids) == fts_rows
    assert set(vector_ids) == catalog_ids

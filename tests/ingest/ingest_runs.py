"""Real ``newsqa ingest`` processes over a wire export, and what their index must look like
afterwards: shared by the tests that interrupt an ingest (kill -9, failing writes) and check
that a rerun completes it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import chromadb

DOCS = 120


def write_export(path: Path) -> None:
    """``DOCS`` one-chunk articles, so a run writes in many small batches."""
    with path.open("w") as out:
        for i in range(DOCS):
            out.write(json.dumps({
                "id": f"wire-{i}", "title": f"Council session {i} approves transit plan",
                "published": "2025-03-01", "source": "Metro Wire",
                "text": f"At session {i}, the council approved {i} new bus shelters. "
                        "The vote passed after a long debate about costs and routes.",
            }) + "\n")


def ingest_env(data_dir: Path) -> dict[str, str]:
    """Batches of four chunks: many commits, so an interruption lands between two of them."""
    return {**os.environ, "NEWSQA_DATA_DIR": str(data_dir), "NEWSQA_INGEST_BATCH_CHUNKS": "4"}


def start_ingest(export: Path, env: dict[str, str],
                 preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "service.cli", "ingest", "--quiet", str(export)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=preexec_fn)


def ready_docs(data_dir: Path) -> int:
    catalog = data_dir / "catalog.sqlite3"
    if not catalog.exists():
        return 0
    try:
        with sqlite3.connect(catalog, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents WHERE state='ready'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def index_ids(data_dir: Path) -> tuple[set[str], list[str], int, list[str]]:
    """Chunk ids in the catalog, vector ids in Chroma (duplicates kept), lexical rows and
    the chunk ids of the vectors the catalog keeps."""
    with sqlite3.connect(data_dir / "catalog.sqlite3") as conn:
        catalog_ids = {r[0] for r in conn.execute("SELECT chunk_id FROM chunks")}
        fts_rows = conn.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0]
        kept_vectors = [r[0] for r in conn.execute("SELECT chunk_id FROM chunk_vectors")]
    collection = chromadb.PersistentClient(path=str(data_dir / "chroma")).get_collection("news_chunks")
    return catalog_ids, collection.get(include=[])["ids"], fts_rows, kept_vectors


def assert_index_complete(data_dir: Path) -> None:
    """Every document once, every chunk with exactly one vector in Chroma, one in the
    catalog and one lexical entry."""
    catalog_ids, vector_ids, fts_rows, kept_vectors = index_ids(data_dir)
    assert ready_docs(data_dir) == DOCS
    assert len(vector_ids) == len(set(vector_ids)) == len(catalog_ids) == fts_rows == len(kept_vectors)
    assert set(vector_ids) == catalog_ids == set(kept_vectors)

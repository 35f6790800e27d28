"""The collections benchmark's copies hold exactly what an ingest of the same articles
writes, though their vectors come from the first collection's store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.bench import collections_bench
from service.assembly import Components
from service.settings import Settings

ARTICLES = [{"id": f"tide-{i}", "title": f"Tide table {i}", "published": f"2024-03-0{i + 1}",
             "text": f"High tide {i} came at dawn. " * (3 + i) + "The harbour master posted the times."}
            for i in range(3)]


def _stored(components: Components, name: str) -> dict[str, tuple[list[float], dict[str, object]]]:
    got = components.corpus(name).vectors._collection.get(include=["embeddings", "metadatas"])
    return {i: (list(e), m) for i, e, m in zip(got["ids"], got["embeddings"], got["metadatas"])}


def test_copies_hold_what_an_ingest_would_write(tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES))
    data_dir = tmp_path / "data"
    collections_bench.index_measured(data_dir, articles)
    copies = collections_bench.index_copies(data_dir, articles)
    assert [c["reused_vectors"] for c in copies] == [copies[0]["vectors"]] * len(copies)
    assert copies[0]["verified_vectors"] == copies[0]["vectors"] > 0

    components = Components(Settings(data_dir=data_dir, llm_backend="extractive", _env_file=None))
    try:
        components.corpora.create("plain")
        components.corpus("plain").indexer.ingest(components.sources.read([str(articles)]))
        plain = _stored(components, "plain")
        for name in ("c1", *collections_bench.COPIES):
            stored = _stored(components, name)
            assert {i: m for i, (_, m) in stored.items()} == {i: m for i, (_, m) in plain.items()}, name
            # The same text encoded in another batch may differ in the last float bits on
            # some CPUs (seen on a Xeon with AMX: 1.5e-8), nothing a search could notice.
            for chunk_id, (vector, _) in stored.items():
                assert vector == pytest.approx(plain[chunk_id][0], abs=1e-6), (name, chunk_id)
            catalog = components.corpus(name).catalog
            assert [(d.doc_id, d.content_hash) for d in catalog.list()] == \
                [(d.doc_id, d.content_hash) for d in components.corpus("plain").catalog.list()]
        collections_bench.drop_copies(data_dir)
        assert components.corpora.names() == ["default", "c1", "plain"]
    finally:
        components.close()

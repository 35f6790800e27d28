"""Exact search over real Chroma vectors and a real catalog: the same ranking as a
brute-force comparison, vectors read once and then held, a chunk whose span changed read
again, and vectors the catalog keeps read from it rather than from Chroma."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.store.records import ChunkRecord, DocumentRecord
from ingest.store.sqlite_catalog import SqliteCatalog
from ingest.store.vectors import VectorStore
from service.retrieval.exact_search import ExactSearch

INT8 = "all-MiniLM-L6-v2/int8"


def _unit(rng: np.random.Generator) -> list[float]:
    v = rng.normal(size=8)
    return list(v / np.linalg.norm(v))


@pytest.fixture
def store(tmp_path: Path) -> VectorStore:
    rng = np.random.default_rng(7)
    vectors = VectorStore.embedded(tmp_path / "chroma", "chunks", INT8)
    ids = [f"c{i}" for i in range(12)]
    vectors.upsert(ids, [_unit(rng) for _ in ids],
                   [{"doc_id": f"d{i}", "text_hash": f"h{i}"} for i in range(12)])
    return vectors


@pytest.fixture
def catalog(tmp_path: Path) -> SqliteCatalog:
    """A catalog from before vectors were kept in it: every vector comes from Chroma."""
    return SqliteCatalog(tmp_path / "catalog.sqlite3")


def _keep_in_catalog(catalog: SqliteCatalog, store: VectorStore, chunk_ids: list[str], encoder: str) -> None:
    vectors = store.vectors_of(chunk_ids)
    with catalog.transaction() as conn:
        for chunk_id in chunk_ids:
            doc = DocumentRecord(f"d{chunk_id[1:]}", "h", "t", "text", None, None, None, None, "o", 1, "2025-01-01")
            catalog.put(conn, doc, [ChunkRecord(chunk_id, doc.doc_id, 0, 0, 4, "text")],
                        vectors={chunk_id: list(vectors[chunk_id])}, encoder=encoder)


class _Counting:
    """Passes reads to the real store and remembers which ids each read asked for."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store
        self.encoder = store.encoder
        self.reads: list[list[str]] = []

    def vectors_of(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        self.reads.append(sorted(chunk_ids))
        return self.store.vectors_of(chunk_ids)


def _spans(ids: list[str], end: int = 10) -> dict[str, tuple[str, int, int]]:
    return {c: (f"d{c[1:]}", 0, end) for c in ids}


def test_ranks_exactly_like_a_brute_force_comparison(store: VectorStore, catalog: SqliteCatalog) -> None:
    query = _unit(np.random.default_rng(1))
    wanted = [f"c{i}" for i in (0, 2, 3, 5, 8, 11)]
    stored = store.vectors_of(wanted)
    expected = sorted(wanted, key=lambda c: -float(stored[c] @ np.asarray(query, dtype=np.float32)))
    hits = ExactSearch(store, catalog, 100).rank(query, _spans(wanted))
    assert [h.chunk_id for h in hits] == expected
    assert hits[0].score >= hits[-1].score
    assert hits[0].score == pytest.approx(float(stored[expected[0]] @ np.asarray(query)), abs=1e-5)


def test_vectors_are_read_once_then_held(store: VectorStore, catalog: SqliteCatalog) -> None:
    counting = _Counting(store)
    exact = ExactSearch(counting, catalog, 100)  # type: ignore[arg-type]
    query = _unit(np.random.default_rng(2))
    first = exact.rank(query, _spans(["c1", "c2", "c3"]))
    second = exact.rank(query, _spans(["c1", "c2", "c3", "c4"]))
    assert counting.reads == [["c1", "c2", "c3"], ["c4"]]
    assert [h.chunk_id for h in second if h.chunk_id != "c4"] == [h.chunk_id for h in first]


def test_a_chunk_with_another_span_is_read_again(store: VectorStore, catalog: SqliteCatalog) -> None:
    counting = _Counting(store)
    exact = ExactSearch(counting, catalog, 100)  # type: ignore[arg-type]
    query = _unit(np.random.default_rng(3))
    exact.rank(query, _spans(["c1"], end=10))
    exact.rank(query, _spans(["c1"], end=25))
    assert counting.reads == [["c1"], ["c1"]]


def test_the_least_recently_used_leave_at_capacity(store: VectorStore, catalog: SqliteCatalog) -> None:
    counting = _Counting(store)
    exact = ExactSearch(counting, catalog, 2)  # type: ignore[arg-type]
    query = _unit(np.random.default_rng(4))
    exact.rank(query, _spans(["c1", "c2"]))
    exact.rank(query, _spans(["c1"]))
    exact.rank(query, _spans(["c3"]))
    exact.rank(query, _spans(["c1", "c2", "c3"]))
    assert counting.reads == [["c1", "c2"], ["c3"], ["c2"]]


def test_chunks_without_a_stored_vector_are_left_out(store: VectorStore, catalog: SqliteCatalog) -> None:
    exact = ExactSearch(store, catalog, 0)
    hits = exact.rank(_unit(np.random.default_rng(5)), _spans(["c1", "gone"]))
    assert [h.chunk_id for h in hits] == ["c1"]
    assert exact.rank([0.0] * 8, {}) == []


def test_vectors_the_catalog_keeps_are_read_from_it(store: VectorStore, catalog: SqliteCatalog) -> None:
    _keep_in_catalog(catalog, store, ["c1", "c2", "c3"], store.encoder)
    counting = _Counting(store)
    query = _unit(np.random.default_rng(6))
    hits = ExactSearch(counting, catalog, 100).rank(query, _spans(["c1", "c2", "c3", "c4"]))  # type: ignore[arg-type]
    assert counting.reads == [["c4"]]
    expected = ExactSearch(store, SqliteCatalog(catalog.path.with_name("empty.sqlite3")), 0).rank(
        query, _spans(["c1", "c2", "c3", "c4"]))
    assert [(h.chunk_id, h.score) for h in hits] == [(h.chunk_id, h.score) for h in expected]


def test_vectors_another_encoder_made_are_not_used(store: VectorStore, catalog: SqliteCatalog) -> None:
    _keep_in_catalog(catalog, store, ["c1", "c2"], "all-MiniLM-L6-v2/fp32")
    counting = _Counting(store)
    ExactSearch(counting, catalog, 100).rank(_unit(np.random.default_rng(8)), _spans(["c1", "c2"]))  # type: ignore[arg-type]
    assert counting.reads == [["c1", "c2"]]


def test_chunks_leaving_and_changing_span_never_score_the_wrong_vector(store: VectorStore,
                                                                      catalog: SqliteCatalog) -> None:
    """Windows of a small cache, whose chunks leave it and come back with other spans: every
    ranking must still be the brute-force one."""
    exact = ExactSearch(store, catalog, 3)
    stored = store.vectors_of([f"c{i}" for i in range(12)])
    rng = np.random.default_rng(8)
    for step in range(40):
        wanted = sorted(rng.choice(12, size=int(rng.integers(1, 6)), replace=False))
        spans = _spans([f"c{i}" for i in wanted], end=10 + step % 3)
        query = np.asarray(_unit(rng), dtype=np.float32)
        hits = exact.rank(list(query), spans)
        expected = sorted(spans, key=lambda c: -float(np.asarray(stored[c], dtype=np.float32) @ query))
        assert [h.chunk_id for h in hits] == expected
        for hit in hits:
            assert hit.score == pytest.approx(float(np.asarray(stored[hit.chunk_id]) @ query), abs=1e-5)

"""Spans and vectors come back from either engine packed into one row; they must be exactly
the rows read one by one, whatever a document id holds and whatever bytes a vector has."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from ingest.store.catalog import SPANS_FROM, Catalog
from ingest.store.records import ChunkRecord, DocumentRecord, SearchFilters

DOC_IDS = ["plain", 'quote " and \\ backslash', "line\nbreak, comma", "ünïcødé 記事", "tab\tand\x1fseparator", "  "]


@pytest.fixture
def catalog(open_catalog: Callable[[], Catalog]) -> Catalog:
    return open_catalog()


def _fill(catalog: Catalog) -> dict[str, np.ndarray]:
    """Two chunks per document; zeros and tiny numbers give vectors bytes of 0x00."""
    rng = np.random.default_rng(7)
    values = [rng.standard_normal(8).astype(np.float32), np.zeros(8, np.float32),
              np.array([1e-45, -0.0, 0.5, 2.0**-126, 0, 0, 1, -1], np.float32)]
    vectors: dict[str, np.ndarray] = {}
    with catalog.transaction() as conn:
        for n, doc_id in enumerate(DOC_IDS):
            text = f"Report {n} on the harbour. It has a second sentence."
            doc = DocumentRecord(doc_id, "h", f"Title {n}", text, None, f"2025-01-0{n + 1}", "Metro Wire",
                                 None, "test", 2, "2025-01-01T00:00:00")
            chunks = [ChunkRecord(f"{n}-{i}", doc_id, i, 10 * i, 10 * i + 9, text[10 * i:10 * i + 9]) for i in range(2)]
            kept = {c.chunk_id: values[(n + i) % 3] for i, c in enumerate(chunks)}
            vectors.update(kept)
            catalog.put(conn, doc, chunks, vectors={c: v.tolist() for c, v in kept.items()}, encoder="test-encoder")
    return vectors


def test_packed_spans_and_vectors_equal_the_rows_one_by_one(catalog: Catalog) -> None:
    vectors = _fill(catalog)
    chunk_ids = sorted(vectors)
    one_by_one = {r["chunk_id"]: (r["doc_id"], r["start"], r["end"])
                  for r in catalog.execute(f"{SPANS_FROM} WHERE d.state='ready'")}
    assert len(one_by_one) == 12 and {doc for doc, _, _ in one_by_one.values()} == set(DOC_IDS)
    assert catalog.chunk_spans(chunk_ids) == one_by_one
    assert catalog.chunks_within(SearchFilters(), 12) == one_by_one
    assert catalog.chunks_within(SearchFilters(date_to="2025-01-02"), 12) \
        == {c: span for c, span in one_by_one.items() if c[0] in "01"}
    assert catalog.chunks_within(SearchFilters(date_to="9999-01-01"), 11) is None
    assert catalog.chunks_within(SearchFilters(date_from="2030-01-01"), 12) == {}
    assert catalog.chunk_spans([]) == {}
    packed = catalog.vectors_of(chunk_ids, "test-encoder")
    assert sorted(packed) == chunk_ids
    assert all(packed[c].tobytes() == vectors[c].tobytes() for c in chunk_ids)
    assert catalog.vectors_of(chunk_ids, "another-encoder") == {}
    assert catalog.vectors_of([], "test-encoder") == {}


def test_ids_or_vectors_that_cannot_be_split_apart_are_read_one_by_one(catalog: Catalog) -> None:
    vectors = _fill(catalog)
    with catalog.transaction() as conn:
        doc = DocumentRecord("odd", "h", "Odd", "Odd one out.", None, "2025-01-01", "Metro Wire", None, "test", 2,
                             "2025-01-01T00:00:00")
        catalog.put(conn, doc, [ChunkRecord("odd chunk", "odd", 0, 0, 4, "Odd "), ChunkRecord("odd-1", "odd", 1, 4, 8, "one ")],
                    vectors={"odd chunk": [0.25] * 8, "odd-1": [0.5] * 4}, encoder="test-encoder")
    with_space = catalog.vectors_of([*vectors, "odd chunk"], "test-encoder")
    assert with_space["odd chunk"].tolist() == [0.25] * 8
    assert all(with_space[c].tobytes() == v.tobytes() for c, v in vectors.items())
    shorter = catalog.vectors_of([*vectors, "odd-1"], "test-encoder")
    assert shorter["odd-1"].tolist() == [0.5] * 4
    assert all(shorter[c].tobytes() == v.tobytes() for c, v in vectors.items())

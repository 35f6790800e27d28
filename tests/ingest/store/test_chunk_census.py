"""The census counts what the catalog's SQL filter keeps, for every kind of filter, and
follows every write (another process's too), so that searches can size their work by it:
on both engines, a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from itertools import product
from pathlib import Path
from typing import Any, Callable

from ingest.store.catalog import Catalog
from ingest.store.chunk_census import ChunkCensus
from ingest.store.records import ChunkRecord, DocumentRecord, SearchFilters
from ingest.store.sqlite_catalog import SqliteCatalog

# (doc id, source, published day, ingested at, chunks)
DOCUMENTS = [
    ("a", "Metro Wire", "2025-01-03", "2025-01-03T08:00:00", 2),
    ("b", "Metro Wire", "2025-02-10", "2025-02-10T08:00:00", 3),
    ("c", "Harbor Ledger", "2025-02-10", "2025-02-11T08:00:00", 1),
    ("d", "Harbor Ledger", None, "2025-01-20T08:00:00", 4),
    ("e", None, None, "2025-03-01T08:00:00", 2),
    ("f", None, "2024-12-31", "2025-01-01T08:00:00", 5),
    ("empty", "Metro Wire", "2025-01-05", "2025-01-05T08:00:00", 0),
]


def _put_in(catalog: Catalog, conn: Any, doc_id: str, source: str | None, published: str | None,
            ingested: str, chunks: int) -> None:
    text = " ".join(f"Sentence {i} of {doc_id}." for i in range(max(chunks, 1)))
    doc = DocumentRecord(doc_id, "h", doc_id, text, None, published, source, None, "test", chunks, ingested)
    catalog.put(conn, doc, [ChunkRecord(f"{doc_id}-{i}", doc_id, i, 0, len(text), text) for i in range(chunks)])


def _put(catalog: Catalog, *row: Any) -> None:
    with catalog.transaction() as conn:
        _put_in(catalog, conn, *row)


def _filters() -> list[SearchFilters]:
    sources = [(), ("Metro Wire",), ("Harbor Ledger", "Nobody")]
    days = [None, "2024-12-31", "2025-01-05", "2025-02-10", "2025-02-10T23:59:59", "2026-01-01"]
    undated = [None, "2025-01-19", "2025-01-20", "9999-12-31"]
    return [SearchFilters(s, first, last, until)
            for s, first, last, until in product(sources, days, days, undated)]


def test_the_census_counts_what_the_sql_filter_keeps(open_catalog: Callable[[], Catalog]) -> None:
    catalog = open_catalog()
    for row in DOCUMENTS:
        _put(catalog, *row)
    catalog.mark_deleting("b")
    for filters in _filters():
        within = catalog.chunks_within(filters, 1_000)
        assert within is not None
        assert catalog.admitted_chunks(filters) == len(within), filters
    assert catalog.admitted_chunks(SearchFilters()) == 2 + 1 + 4 + 2 + 5
    assert catalog.chunks_within(SearchFilters(), 13) is None


def test_the_census_follows_every_write_of_any_process(open_catalog: Callable[[], Catalog]) -> None:
    catalog = open_catalog()
    _put(catalog, *DOCUMENTS[0])
    assert catalog.admitted_chunks(SearchFilters()) == 2
    assert catalog.term_counts(["sentence"]) == (2, {"sentence": 2})
    other_worker = open_catalog()
    _put(other_worker, *DOCUMENTS[1])
    assert catalog.admitted_chunks(SearchFilters()) == 5
    other_worker.mark_deleting("a")
    assert catalog.admitted_chunks(SearchFilters()) == 3
    other_worker.finish_delete("a")
    assert catalog.admitted_chunks(SearchFilters()) == 3
    assert catalog.term_counts(["sentence"]) == (3, {"sentence": 3})


def test_an_empty_census_counts_nothing() -> None:
    census = ChunkCensus([])
    assert census.total == 0
    assert census.count(SearchFilters(sources=("Metro Wire",), date_to="2025-01-01")) == 0


def test_opening_a_catalog_waits_for_no_ingest(tmp_path: Path) -> None:
    """A request may open a collection's catalog while an ingest holds the write lock."""
    path = tmp_path / "catalog.sqlite3"
    SqliteCatalog(path).close()
    writer = SqliteCatalog(path)
    with writer.transaction() as conn:
        _put_in(writer, conn, *DOCUMENTS[0])
        reader = SqliteCatalog(path)
        assert reader.admitted_chunks(SearchFilters()) == 0
        reader.close()
    writer.close()

"""The embedded catalog's shortcut for large indexes: words found in most chunks are left
out of the full-text query, and the ranking of the rest is unchanged; a long question is
searched by its rarest words."""

from __future__ import annotations

import sqlite3
from itertools import product
from pathlib import Path
from typing import Callable

import pytest

from ingest.store.catalog import DOCUMENTS_SCHEMA, MAX_QUERY_TERMS, PRUNE_FROM_CHUNKS
from ingest.store.records import ChunkRecord, DocumentRecord, SearchFilters
from ingest.store.sqlite_catalog import SHORTLIST_FACTOR, SHORTLIST_MAX_SHARE, SqliteCatalog


def _catalog(path: Path, n: int, extra: Callable[[int], str] = lambda i: "",
             published: Callable[[int], str] = lambda i: "2025-01-01") -> SqliteCatalog:
    """``n`` one-chunk documents that all say "week"; a few also name a rare ferry; the
    last one comes from another source; ``extra`` adds words to the i-th."""
    catalog = SqliteCatalog(path)
    with catalog.transaction() as conn:
        for i in range(n):
            text = f"Council session {i} met this week." + (" The Quillmouth ferry was ordered." * (i % 300 == 0)) + extra(i)
            doc = DocumentRecord(f"d{i}", "h", f"Session {i}", text, None, published(i),
                                 "Harbor Ledger" if i == n - 1 else "Metro Wire", None, "test", 1,
                                 "2025-01-01T00:00:00")
            catalog.put(conn, doc, [ChunkRecord(f"c{i}", doc.doc_id, 0, 0, len(text), text)])
    return catalog


def test_common_words_leave_a_large_index_query_but_not_its_ranking(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path / "catalog.sqlite3", PRUNE_FROM_CHUNKS)
    assert catalog._informative(["week", "quillmouth", "ferry"]) == ["quillmouth", "ferry"]
    assert catalog._informative(["week"]) == ["week"]
    with_common = catalog.lexical_search("week Quillmouth ferry", 10, SearchFilters())
    assert [doc for _, doc, _ in with_common] == ["d0", "d300", "d600", "d900"]


def test_a_long_question_is_searched_by_its_rarest_words(tmp_path: Path) -> None:
    def rare_words(i: int) -> str:
        """``rare0`` in the first 3 chunks, ``rare1`` in the first 6, and so on."""
        return " ".join(f"rare{j}" for j in range(12) if i < 3 * (j + 1))

    catalog = _catalog(tmp_path / "catalog.sqlite3", PRUNE_FROM_CHUNKS, rare_words)
    question = ["week", *(f"rare{j}" for j in reversed(range(12)))]
    assert catalog._informative(question) == [f"rare{j}" for j in range(MAX_QUERY_TERMS)]
    hits = catalog.lexical_search(" ".join(question), 2, SearchFilters())
    assert {doc for _, doc, _ in hits} == {"d1", "d2"}  # every kept word, and short


def test_word_counts_are_taken_afresh_after_another_worker_ingests(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    catalog = _catalog(path, PRUNE_FROM_CHUNKS)
    assert catalog._informative(["quillmouth", "ferry"]) == ["quillmouth", "ferry"]
    other_worker = SqliteCatalog(path)
    with other_worker.transaction() as conn:
        text = "Quillmouth harbour news."
        doc = DocumentRecord("extra", "h", "Extra", text, None, None, None, None, "test", 1,
                             "2025-01-01T00:00:00")
        other_worker.put(conn, doc, [ChunkRecord("c-extra", "extra", 0, 0, len(text), text)])
    assert catalog._informative(["quillmouth", "ferry"]) == ["ferry", "quillmouth"]


def test_a_small_index_keeps_every_word(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path / "catalog.sqlite3", 20)
    assert catalog._informative(["week", "quillmouth"]) == ["week", "quillmouth"]
    assert len(catalog.lexical_search("week", 30, SearchFilters())) == 20


def _ranking(hits: list[tuple[str, str, float]]) -> list[tuple[str, float]]:
    """Scores in order, each with its chunk where no other chunk has the same score (which
    of two equal matches comes first is arbitrary)."""
    scores = [round(score, 9) for _, _, score in hits]
    return [(chunk if scores.count(score) == 1 else "", score) for (chunk, _, _), score in zip(hits, scores)]


def test_a_shortlist_sized_to_the_filter_gives_what_joining_every_match_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Half the documents are of January: a January search shortlists twice as many matches
    as an unfiltered one; a filter that keeps one chunk, or a question whose shortlist
    would hold more than a fifth of its matches, joins every match at once; a shortlist that holds too few of the
    filter's chunks falls back to the full join."""
    catalog = _catalog(tmp_path / "catalog.sqlite3", 1000, published=lambda i: "2025-01-01" if i < 500 else "2025-02-01")
    shortlists: list[int | None] = []
    full = catalog._lexical_query
    monkeypatch.setattr(catalog, "_lexical_query", lambda *args: shortlists.append(args[3]) or full(*args))
    january, february = SearchFilters(date_to="2025-01-31"), SearchFilters(date_from="2025-02-01")
    paths = set()
    for filters, query, k in product([SearchFilters(), january, february, SearchFilters(sources=("Harbor Ledger",))],
                                     ["Quillmouth ferry week", "council session"], [1, 5, 30]):
        shortlists.clear()
        assert _ranking(catalog.lexical_search(query, k, filters)) == _ranking(full(query, k, filters, None))
        sized = SHORTLIST_FACTOR * k * (1 if filters == SearchFilters() else 2)
        assert shortlists in ([None], [sized], [sized, None]), (filters, query, k)
        matches = 8 if query.startswith("Quillmouth") else 2 * 1000  # each term's matches added up
        if filters.sources or sized > SHORTLIST_MAX_SHARE * matches:  # one chunk kept; or too long a shortlist
            assert shortlists == [None]
        if filters in (january, february):
            paths.add(tuple(shortlists))
    assert {(SHORTLIST_FACTOR * 2,), (SHORTLIST_FACTOR * 2, None)} <= paths
    assert catalog.lexical_search("no such words", 5, january) == []


def test_filters_and_deletions_never_cut_results_short(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path / "catalog.sqlite3", 20)
    hits = catalog.lexical_search("council week", 1, SearchFilters(sources=("Harbor Ledger",)))
    assert [doc for _, doc, _ in hits] == ["d19"]
    assert catalog.lexical_search("council week", 1, SearchFilters(sources=("Nobody",))) == []
    deleted = [doc for _, doc, _ in catalog.lexical_search("council week", 16, SearchFilters())]
    for doc in deleted:
        catalog.mark_deleting(doc)
    rest = catalog.lexical_search("council week", 4, SearchFilters())
    assert len(rest) == 4 and not {doc for _, doc, _ in rest} & set(deleted)


def test_a_catalog_made_before_dates_had_sources_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(DOCUMENTS_SCHEMA.replace(",\n    date_source TEXT", ""))
    old.execute("INSERT INTO documents (doc_id, content_hash, title, text, origin, n_chunks, ingested_at)"
                " VALUES ('old', 'h', 'Old', 'Old text.', 'o', 0, '2025-01-01')")
    old.commit()
    old.close()
    catalog = SqliteCatalog(path)
    try:
        doc = catalog.get("old")
        assert doc is not None and doc.date_source is None
        assert catalog.undated_documents("2025-01-01") == ["old"]
        assert catalog.undated_documents("2024-12-31") == []
    finally:
        catalog.close()


def test_a_question_keeps_its_rarest_words_while_their_matches_fit_the_bound(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def words(i: int) -> str:
        """``tide`` in 10 chunks, ``pier`` in 100, ``dock`` in 400."""
        return " tide" * (i < 10) + " pier" * (i < 100) + " dock" * (i < 400)

    catalog = _catalog(tmp_path / "catalog.sqlite3", PRUNE_FROM_CHUNKS, words)
    question = ["dock", "pier", "tide", "week"]
    assert catalog._informative(question) == ["tide", "pier", "dock"]
    monkeypatch.setattr(catalog, "max_query_matches", 110)
    assert catalog._informative(question) == ["tide", "pier"]
    monkeypatch.setattr(catalog, "max_query_matches", 5)
    assert catalog._informative(question) == ["tide"]
    hits = catalog.lexical_search("dock pier tide", 20, SearchFilters())
    assert {doc for _, doc, _ in hits} == {f"d{i}" for i in range(10)}  # only "tide" was searched


def test_a_window_searched_by_its_chunks_gives_what_its_date_clause_gives(tmp_path: Path) -> None:
    """``within``, the chunks a narrow filter keeps, is checked on each match by rowid; it
    must keep exactly the matches the filter's own SQL keeps, scores and order included,
    and none of a document being deleted."""
    days = ["2025-01-05", "2025-02-10", "2025-02-20", "2025-03-01"]
    catalog = _catalog(tmp_path / "catalog.sqlite3", 400, lambda i: " Ferry fares rose." * (i % 3 == 0),
                       lambda i: days[i % 4])
    catalog.mark_deleting("d9")
    february = SearchFilters(date_from="2025-02-01", date_to="2025-02-28")
    within = catalog.chunks_within(february, 1_000)
    assert within is not None and len(within) == 199
    for question in ("ferry fares", "Quillmouth ferry", "council session week"):
        by_date = catalog.lexical_search(question, 30, february)
        by_chunks = catalog.lexical_search(question, 30, february, within)
        assert by_chunks == by_date and by_chunks
        assert {doc for _, doc, _ in by_chunks} <= {doc for doc, _, _ in within.values()}


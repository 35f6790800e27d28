"""Both catalogs (SQLite embedded, PostgreSQL scaled out) through the same queries: lexical
search with filters inside the SQL, user text that is never query syntax, the chunks a narrow
filter keeps, listings, stats."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ingest.article import Article
from ingest.store.records import SearchFilters
from service.assembly import Components

ARTICLES = [
    Article(id="ferry", title="Quillmouth orders electric ferries", published="2026-05-04",
            source="Coastal Ledger", text="The Quillmouth harbour board ordered two electric "
            "ferries this week. The vessels replace diesel boats on the island route."),
    Article(id="budget", title="City budget passes", published="2025-11-20", source="Metro Wire",
            text="The council passed the city budget this week after a long debate on transit."),
    Article(id="ferry-old", title="Harbour weighs new boats", published="2024-02-01",
            source="Metro Wire", text="The harbour board weighed electric ferries for the island "
            "route this week but made no decision."),
]


def _ingested(components: Components) -> Components:
    report = components.corpus().indexer.ingest(ARTICLES)
    assert sorted(report.added) == ["budget", "ferry", "ferry-old"]
    return components


def _docs(hits: list[tuple[str, str, float]]) -> list[str]:
    return [doc for _, doc, _ in hits]


def test_lexical_search_ranks_and_filters_inside_the_query(components: Components) -> None:
    catalog = _ingested(components).catalog
    hits = catalog.lexical_search("Quillmouth electric ferries", 10, SearchFilters())
    assert _docs(hits)[:2] == ["ferry", "ferry-old"] and "budget" not in _docs(hits)
    assert hits[0][2] > hits[1][2] > 0
    assert _docs(catalog.lexical_search("electric ferries", 10, SearchFilters(sources=("Metro Wire",)))) == ["ferry-old"]
    assert _docs(catalog.lexical_search("electric ferries", 10, SearchFilters(date_to="2025-01-01"))) == ["ferry-old"]
    assert _docs(catalog.lexical_search("electric ferries", 1, SearchFilters(date_from="2025-01-01"))) == ["ferry"]


def test_user_text_is_never_query_syntax(components: Components) -> None:
    catalog = _ingested(components).catalog
    assert catalog.lexical_search("what is it?", 10, SearchFilters()) == []
    for text in ('ferries" OR (NEAR', "ferries & !budget | 'x':*", "ferries) AND -- ;"):
        assert "ferry" in _docs(catalog.lexical_search(text, 10, SearchFilters()))


def test_a_word_in_every_chunk_neither_ranks_nor_hides(components: Components) -> None:
    catalog = _ingested(components).catalog
    assert _docs(catalog.lexical_search("week Quillmouth", 10, SearchFilters()))[0] == "ferry"
    assert sorted(_docs(catalog.lexical_search("week", 10, SearchFilters()))) == ["budget", "ferry", "ferry-old"]


def test_a_narrow_filter_lists_its_chunks_which_full_text_search_keeps_to(components: Components) -> None:
    catalog = _ingested(components).catalog

    def docs_within(filters: SearchFilters, limit: int = 10) -> set[str] | None:
        chunks = catalog.chunks_within(filters, limit)
        return None if chunks is None else {doc for doc, _, _ in catalog.chunk_spans(chunks).values()}

    assert docs_within(SearchFilters(sources=("Metro Wire",))) == {"budget", "ferry-old"}
    assert docs_within(SearchFilters(date_to="2025-01-01")) == {"ferry-old"}
    assert docs_within(SearchFilters(sources=("Metro Wire",), date_from="2025-01-01")) == {"budget"}
    assert docs_within(SearchFilters(date_from="2030-01-01")) == set()
    old_metro = SearchFilters(sources=("Metro Wire",), date_to="2025-01-01")
    within = catalog.chunks_within(old_metro, 10)
    assert catalog.lexical_search("electric ferries", 10, old_metro, within) \
        == catalog.lexical_search("electric ferries", 10, old_metro)
    assert _docs(catalog.lexical_search("electric ferries", 10, old_metro, within)) == ["ferry-old"]
    assert catalog.lexical_search("electric ferries", 10, old_metro, []) == []
    everything = catalog.chunks_within(SearchFilters(), 100)
    assert everything is not None and len(everything) >= 3
    assert catalog.chunks_within(SearchFilters(), len(everything) - 1) is None


def test_listing_reading_and_stats(components: Components) -> None:
    catalog = _ingested(components).catalog
    assert [d.doc_id for d in catalog.list()] == ["ferry", "budget", "ferry-old"]
    assert [d.doc_id for d in catalog.list(source="Metro Wire", limit=1, offset=1)] == ["ferry-old"]
    assert set(catalog.get_many(["ferry", "none"])) == {"ferry"}
    chunk = catalog.chunks_of("ferry")[0]
    assert catalog.chunk_spans([chunk.chunk_id]) == {chunk.chunk_id: ("ferry", chunk.start, chunk.end)}
    stats = catalog.stats()
    assert stats["documents"] == 3 and stats["sources"] == {"Metro Wire": 2, "Coastal Ledger": 1}
    assert (stats["first_published"], stats["last_published"]) == ("2024-02-01", "2026-05-04")


def test_date_bounds_admit_undated_documents_ingested_by_a_day(components: Components) -> None:
    components.corpus().indexer.ingest([
        Article(title="Quay tolls", id="dated", text="Quay tolls rise for ferries.", published="2025-03-04"),
        Article(title="Quay tolls again", id="undated", text="Quay tolls rise for ferries again.")])
    today = date.today().isoformat()
    bounded = SearchFilters(date_to="2025-03-05")
    admitting = replace(bounded, undated_until=today)
    lexical = {doc for _, doc, _ in components.catalog.lexical_search("quay tolls", 5, admitting)}
    assert lexical == {"dated", "undated"}
    assert {doc for _, doc, _ in components.catalog.lexical_search("quay tolls", 5, bounded)} == {"dated"}
    too_early = replace(bounded, undated_until="2025-03-05")  # ingested after that day
    assert {doc for _, doc, _ in components.catalog.lexical_search("quay tolls", 5, too_early)} == {"dated"}
    within = components.catalog.chunks_within(admitting, 10)
    assert within is not None and {doc for doc, _, _ in within.values()} == {"dated", "undated"}
    vector = components.embedder.embed_query("quay tolls")
    hits = components.corpus().vectors.search(vector, 5, admitting, components.catalog.undated_documents(today))
    assert {components.catalog.chunk_spans([h.chunk_id])[h.chunk_id][0] for h in hits} == {"dated", "undated"}


def test_term_counts_say_how_many_chunks_hold_each_word(components: Components) -> None:
    """Both engines count chunks per word the way the answer checks weigh rarity: a word of
    one story is rarer than one of every story, and text that is query syntax elsewhere is
    only a word here."""
    catalog = _ingested(components).catalog
    total, counts = catalog.term_counts(["quillmouth", "ferri", "week", "absent", 'x"y', "'"])
    assert total == 3
    assert counts["quillmouth"] == 1 and counts["ferri"] == 2 and counts["week"] == 3
    assert counts["absent"] == 0 and counts['x"y'] == 0 and counts["'"] == 0
    components.corpus().indexer.delete("ferry")
    assert catalog.term_counts(["quillmouth", "week"]) == (2, {"quillmouth": 0, "week": 2})

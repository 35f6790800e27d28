"""The indexer through the real stores: idempotency, updates, deletes."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.article import Article, LoadFailure
from ingest.embedder import Embedder
from ingest.store.records import SearchFilters
from service.assembly import Components
from service.settings import Settings


def _articles(n: int, suffix: str = "") -> list[Article]:
    return [
        Article(title=f"Ferry line {i} update", id=f"ferry-{i}", published=f"2025-0{1 + i % 9}-1{i % 10}",
                source="Harbor Ledger", url=f"https://harbor.example/ferry/{i}",
                text=(f"The ferry line {i} carried {1000 + i} passengers on its first weekend{suffix}. "
                      "Officials said the timetable would expand in the spring.\n\n"
                      f"A second paragraph notes that line {i} uses two electric boats."))
        for i in range(n)
    ]


def _vector_ids(components: Components) -> set[str]:
    return set(components.corpus().vectors._collection.get(include=[])["ids"])


def _catalog_chunk_ids(components: Components) -> set[str]:
    return {c.chunk_id for d in components.catalog.list(limit=1000) for c in components.catalog.chunks_of(d.doc_id)}


def _assert_catalog_keeps_the_stored_vectors(components: Components) -> None:
    """The catalog holds each live chunk's vector, the one Chroma holds (which Chroma may
    round in its last bit), and no other."""
    vectors = components.corpus().vectors
    chunk_ids = _catalog_chunk_ids(components)
    kept = components.catalog.vectors_of(chunk_ids, vectors.encoder)
    stored = vectors.vectors_of(chunk_ids)
    assert set(kept) == set(stored) == chunk_ids
    for chunk_id, vector in kept.items():
        np.testing.assert_allclose(vector, stored[chunk_id], rtol=1e-5, atol=1e-7)
    rows = components.catalog.execute("SELECT COUNT(*) AS n FROM chunk_vectors").fetchone()["n"]
    assert rows == len(chunk_ids)
    assert components.catalog.vectors_of(chunk_ids, "another-encoder/fp32") == {}


def test_first_ingest_adds_everything(components: Components) -> None:
    report = components.corpus().indexer.ingest(_articles(5))
    assert len(report.added) == 5 and not report.failed
    assert components.catalog.stats()["documents"] == 5
    assert _vector_ids(components) == _catalog_chunk_ids(components)
    _assert_catalog_keeps_the_stored_vectors(components)
    doc = components.catalog.get("ferry-3")
    assert doc is not None and doc.published == "2025-04-13" and doc.source == "Harbor Ledger"
    for chunk in components.catalog.chunks_of("ferry-3"):
        assert doc.text[chunk.start:chunk.end] == chunk.text


def test_unchanged_reingest_computes_no_embeddings_and_writes_nothing(components: Components) -> None:
    components.corpus().indexer.ingest(_articles(5))
    before_encoded = components.embedder.encoded
    before_rows = {d.doc_id: d.ingested_at for d in components.catalog.list()}
    report = components.corpus().indexer.ingest(_articles(5))
    assert len(report.unchanged) == 5 and not report.added and not report.updated
    assert components.embedder.encoded == before_encoded
    assert {d.doc_id: d.ingested_at for d in components.catalog.list()} == before_rows


def test_changed_document_replaces_all_its_chunks(components: Components) -> None:
    components.corpus().indexer.ingest(_articles(3))
    old_ids = {c.chunk_id for c in components.catalog.chunks_of("ferry-1")}
    changed = _articles(3, suffix=" despite heavy rain")
    report = components.corpus().indexer.ingest(changed)
    assert sorted(report.updated) == ["ferry-0", "ferry-1", "ferry-2"]
    new_ids = {c.chunk_id for c in components.catalog.chunks_of("ferry-1")}
    assert not (old_ids & new_ids)
    assert not (old_ids & _vector_ids(components))
    assert _vector_ids(components) == _catalog_chunk_ids(components)
    _assert_catalog_keeps_the_stored_vectors(components)
    assert "heavy rain" in components.catalog.get("ferry-1").text
    hits = components.catalog.lexical_search("first weekend", 50, _no_filters())
    assert {chunk for chunk, _, _ in hits} <= _catalog_chunk_ids(components)


def test_delete_removes_document_everywhere(components: Components) -> None:
    components.corpus().indexer.ingest(_articles(3))
    assert components.corpus().indexer.delete("ferry-2")
    assert components.catalog.get("ferry-2") is None
    assert not components.catalog.chunks_of("ferry-2")
    assert all(doc != "ferry-2" for _, doc, _ in components.catalog.lexical_search("electric boats", 50, _no_filters()))
    assert _vector_ids(components) == _catalog_chunk_ids(components)
    _assert_catalog_keeps_the_stored_vectors(components)
    assert not components.corpus().indexer.delete("ferry-2")


def test_an_index_whose_catalog_kept_no_vectors_gets_them_from_the_next_ingest(
        components: Components, settings: Settings, embedder: Embedder) -> None:
    """As an older release left it: vectors in Chroma only. Unchanged articles are not
    written again, yet the first ingest of a process copies their vectors across; a chunk
    with no vector anywhere is passed over, not looked for forever."""
    components.corpus().indexer.ingest(_articles(4))
    components.catalog.execute("DELETE FROM chunk_vectors")
    components.corpus().vectors.delete_documents(["ferry-0"])
    with_vectors = {c for c in _catalog_chunk_ids(components) if not c.startswith(
        components.catalog.chunks_of("ferry-0")[0].chunk_id.rsplit("-", 1)[0])}
    later = Components(settings)
    later.__dict__["embedder"] = embedder
    report = later.corpus().indexer.ingest(_articles(4))
    assert len(report.unchanged) == 4
    kept = later.catalog.vectors_of(_catalog_chunk_ids(components), later.corpus().vectors.encoder)
    assert set(kept) == set(later.corpus().vectors.vectors_of(_catalog_chunk_ids(components))) == with_vectors
    assert with_vectors and with_vectors < _catalog_chunk_ids(components)
    assert later.corpus().indexer.complete_kept_vectors() == 0


def test_a_bad_item_is_reported_and_the_rest_ingested(components: Components) -> None:
    items: list[Article | LoadFailure] = [*_articles(2), LoadFailure("x.jsonl:3", "invalid JSON"),
                                          Article(title="Empty", text="   ", id="empty")]
    report = components.corpus().indexer.ingest(items)
    assert len(report.added) == 2
    assert [f.reason for f in report.failed] == ["invalid JSON", "article has no text after cleaning"]


def test_identity_falls_back_to_canonical_url_then_content_hash(components: Components) -> None:
    by_url = Article(title="A", text="Body text here.", url="HTTPS://Harbor.example/a/?utm_source=x")
    same_page = Article(title="A", text="Body text here.", url="https://harbor.example/a")
    anonymous = Article(title="B", text="Another body.")
    report = components.corpus().indexer.ingest([by_url])
    report2 = components.corpus().indexer.ingest([same_page, anonymous])
    assert report.added == ["https://harbor.example/a"]
    assert report2.unchanged == ["https://harbor.example/a"]
    assert report2.added[0].startswith("sha256:")


def test_an_undated_article_takes_the_date_in_its_url_and_joins_date_filters(
        settings: Settings, embedder: Embedder) -> None:
    components = Components(settings)
    components.embedder = embedder
    try:
        undated = Article(title="Bridge reopens", id="bridge", text="The river bridge reopened to traffic on Monday.",
                          url="https://harbor.example/2025/03/04/bridge-reopens/")
        dated = Article(title="Pier repairs", id="pier", text="Pier repairs finished ahead of schedule.",
                        url="https://harbor.example/2025/03/04/pier/", published="2025-03-05")
        components.corpus().indexer.ingest([undated, dated])
        assert components.catalog.get("bridge").published == "2025-03-04"
        assert components.catalog.get("pier").published == "2025-03-05"
        march_fourth = SearchFilters(date_from="2025-03-04", date_to="2025-03-04")
        hits = components.corpus().vectors.search(components.embedder.embed_query("bridge traffic"), 5, march_fourth)
        assert {hit.chunk_id for hit in hits} == {c.chunk_id for c in components.catalog.chunks_of("bridge")}
    finally:
        components.close()


def test_url_dates_can_be_turned_off(settings: Settings, embedder: Embedder) -> None:
    components = Components(settings.model_copy(update={"dates_from_urls": False}))
    components.embedder = embedder
    try:
        components.corpus().indexer.ingest([Article(title="Bridge reopens", id="bridge", text="The bridge reopened.",
                                           url="https://harbor.example/2025/03/04/bridge-reopens/")])
        assert components.catalog.get("bridge").published is None
        assert components.catalog.get("bridge").date_source == "none"
    finally:
        components.close()


def test_every_document_records_where_its_date_came_from(components: Components) -> None:
    components.corpus().indexer.ingest([
        Article(title="Pier", id="pier", text="Pier repairs finished.", published="2025-03-05"),
        Article(title="Bridge", id="bridge", text="The bridge reopened.",
                url="https://harbor.example/2025/03/04/bridge-reopens/"),
        Article(title="Dock", id="dock", text="Published March 3, 2025\n\nThe dock reopened."),
        Article(title="Quay", id="quay", text="The quay reopened."),
    ])
    found = {d.doc_id: (d.published, d.date_source) for d in components.catalog.list()}
    assert found == {"pier": ("2025-03-05", "metadata"), "bridge": ("2025-03-04", "url"),
                     "dock": ("2025-03-03", "text"), "quay": (None, "none")}
    assert components.catalog.get("quay").metadata()["date_source"] == "none"


def test_an_undated_page_takes_the_date_it_prints_and_its_text_stays_whole(components: Components) -> None:
    text = ("By Harbor Ledger staff\n\nPublished 6:40 a.m. ET March 4, 2025\n\n"
            "The river bridge reopened to traffic on Monday after repairs that began on January 5, 2024.")
    components.corpus().indexer.ingest([Article(title="Bridge reopens", id="bridge", text=text)])
    doc = components.catalog.get("bridge")
    assert doc.published == "2025-03-04" and doc.text == text
    inside = Article(title="Pier", id="pier", text="Repairs began on January 5, 2024, the port said.")
    components.corpus().indexer.ingest([inside])
    assert components.catalog.get("pier").published is None


def _no_filters() -> SearchFilters:
    return SearchFilters()


def test_a_small_correction_reembeds_only_the_chunks_it_touches(components: Components) -> None:
    paragraphs = [f"Paragraph {i} says the harbour moved {i * 1000} containers in week {i}, "
                  f"a figure the port authority confirmed in its weekly bulletin number {i}. " * 3
                  for i in range(12)]
    article = Article(title="Harbour weekly", text="\n\n".join(paragraphs), id="harbour-weekly")
    components.corpus().indexer.ingest([article])
    chunks = components.catalog.chunks_of("harbour-weekly")
    assert len(chunks) > 3
    paragraphs[-1] = paragraphs[-1].replace("weekly bulletin", "monthly bulletin")
    corrected = Article(title="Harbour weekly", text="\n\n".join(paragraphs), id="harbour-weekly")
    before = components.embedder.encoded
    report = components.corpus().indexer.ingest([corrected])
    assert report.updated == ["harbour-weekly"]
    assert 1 <= components.embedder.encoded - before < len(chunks) / 2
    assert _vector_ids(components) == _catalog_chunk_ids(components)
    _assert_catalog_keeps_the_stored_vectors(components)
    assert "monthly bulletin" in components.catalog.get("harbour-weekly").text


def test_progress_moves_with_each_encoder_batch_before_anything_is_written(components: Components) -> None:
    """Forty documents fit one write batch of 512 chunks; the bar must still move from the
    first encoder batch of 32 chunks, while the catalog holds nothing yet."""
    articles = _articles(40)
    events: list[tuple[float, int, int]] = []
    report = components.corpus().indexer.ingest(articles, progress=lambda p: events.append(
        (p.documents, p.chunks, components.catalog.stats()["documents"])))
    assert len(report.added) == 40
    assert len(events) >= 2
    first_documents, first_chunks, committed = events[0]
    assert committed == 0 and 0 < first_documents < 40 and first_chunks == components.embedder.batch_size
    assert sum(e[0] for e in events) == pytest.approx(40)
    assert sum(e[1] for e in events) == report.chunks

    again: list[float] = []
    components.corpus().indexer.ingest([*articles[:3], Article(title="Empty", text=" ")],
                              progress=lambda p: again.append(p.documents))
    assert again == [1, 1, 1, 1]  # unchanged and failed documents count whole, at once

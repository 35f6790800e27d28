"""Collections through the real stores (embedded files, and ``chroma run`` with PostgreSQL):
each one's documents, vectors, lexical entries and idempotency keys are its own, and
deleting one removes all of it and nothing else."""

from __future__ import annotations

import pytest

from ingest.article import Article
from ingest.embedder import Embedder, encoder_identity
from ingest.pipeline import Indexer
from ingest.store.catalog import Catalog
from ingest.store.collection_registry import (CollectionExists, CollectionNameError, DefaultCollectionError,
                                              UnknownCollection)
from ingest.store.postgres_catalog import PostgresCatalog
from ingest.store.records import SearchFilters
from ingest.store.sqlite_catalog import SqliteCatalog
from ingest.store.vectors import VectorStore
from service.assembly import Components
from service.errors import dependency_exception_types
from service.retrieval.retriever import RetrievalOptions
from service.settings import Settings

SHARED_URL = "https://harbor.example/elm-street"
HARBOR = [
    Article(title="Ferry timetable changes at Harbor Point", url="https://harbor.example/ferry",
            published="2024-03-04", text="The Harbor Point ferry will run every twenty minutes from April."),
    Article(title="Council approves Elm Street bike lanes", url=SHARED_URL, published="2024-03-05",
            text="The council approved painted bike lanes on Elm Street after a long debate."),
]
WIRE = [
    Article(title="Northwind to buy Calder Mining", url="https://wire.example/calder", published="2024-03-05",
            text="Northwind Resources agreed to acquire Calder Mining for 4.2 billion dollars in cash."),
    Article(title="Elm Street contractor named in inquiry", url=SHARED_URL, published="2024-03-06",
            text="The Elm Street paving contractor was named in a procurement inquiry on Wednesday."),
]


def _vector_ids(vectors: VectorStore) -> set[str]:
    return set(vectors._collection.get(include=[])["ids"])


def _doc_ids(catalog: Catalog) -> set[str]:
    return {d.doc_id for d in catalog.list(limit=100)}


@pytest.fixture
def two(components: Components) -> Components:
    components.corpora.create("wire")
    assert not components.corpus().indexer.ingest(HARBOR).failed
    assert not components.corpus("wire").indexer.ingest(WIRE).failed
    return components


def test_each_collection_holds_only_its_own_documents_and_vectors(two: Components) -> None:
    default, wire = two.corpus(), two.corpus("wire")
    assert default.catalog.count() == 2 and wire.catalog.count() == 2
    # The same URL in two collections is two documents, each with its own text.
    assert default.catalog.get(SHARED_URL).title == "Council approves Elm Street bike lanes"
    assert wire.catalog.get(SHARED_URL).title == "Elm Street contractor named in inquiry"
    default_chunks = {c.chunk_id for d in _doc_ids(default.catalog) for c in default.catalog.chunks_of(d)}
    wire_chunks = {c.chunk_id for d in _doc_ids(wire.catalog) for c in wire.catalog.chunks_of(d)}
    assert _vector_ids(default.vectors) == default_chunks and _vector_ids(wire.vectors) == wire_chunks
    assert not default_chunks & wire_chunks
    assert wire.catalog.lexical_search("Calder Mining", 10, SearchFilters())
    assert default.catalog.lexical_search("Calder Mining", 10, SearchFilters()) == []
    found = default.retriever.search("Who is buying Calder Mining?", RetrievalOptions(top_k=5, rerank=False))
    assert {p.doc_id for p in found.passages} <= _doc_ids(default.catalog)
    assert not any("Calder" in p.text for p in found.passages)


def test_reingest_is_idempotent_per_collection(two: Components) -> None:
    again = two.corpus("wire").indexer.ingest(WIRE)
    assert len(again.unchanged) == 2 and not again.added and not again.updated
    # The shared URL already exists in the default collection; in a new collection it is new.
    two.corpora.create("archive")
    fresh = two.corpus("archive").indexer.ingest(HARBOR[1:])
    assert fresh.added == [SHARED_URL]


def test_deleting_a_collection_removes_all_of_it_and_nothing_else(two: Components) -> None:
    harbor_vectors = _vector_ids(two.corpus().vectors)
    assert two.corpora.delete("wire")
    with pytest.raises(UnknownCollection):
        two.corpus("wire")
    assert "wire" not in two.corpora.names()
    stores = two.corpora._stores
    assert stores.chroma_name("wire") not in {c.name for c in two.chroma.list_collections()}
    if two.settings.catalog_url is None:
        assert not stores.catalog_folder("wire").exists()
    else:
        schemas = two.catalog.execute("SELECT schema_name FROM information_schema.schemata").fetchall()
        assert stores.schema("wire") not in {r["schema_name"] for r in schemas}
    assert two.corpus().catalog.count() == 2 and _vector_ids(two.corpus().vectors) == harbor_vectors
    assert two.corpora.delete("wire") is False
    # A collection made again under the name starts empty.
    two.corpora.create("wire")
    assert two.corpus("wire").catalog.count() == 0 and two.corpus("wire").vectors.count() == 0


def test_the_collection_a_process_serves_by_default_cannot_be_deleted_under_it(two: Components) -> None:
    serving = Components(two.settings.model_copy(update={"default_collection": "wire"}))
    try:
        with pytest.raises(DefaultCollectionError, match="'wire' is the collection this service answers"):
            serving.corpora.delete("wire")
        assert serving.corpora.find("wire") is not None
    finally:
        serving.close()
    assert two.corpora.delete("wire") is True


def test_a_collection_deleted_during_an_ingest_leaves_no_half_index(two: Components) -> None:
    two.corpora.create("scratch")
    scratch = two.corpus("scratch")
    batch = [Article(title=f"Tide report {i}", id=f"tide-{i}", text=f"High tide {i} came at dawn.")
             for i in range(6)]
    scratch.indexer._batch_chunks = 2  # several batches, so the deletion falls between two

    def delete_midway(_: object) -> None:
        if two.corpora.find("scratch") is not None:
            two.corpora.delete("scratch")

    with pytest.raises(Exception):
        scratch.indexer.ingest(batch, progress=delete_midway)
    assert "scratch" not in two.corpora.names()
    assert two.corpora._stores.chroma_name("scratch") not in {c.name for c in two.chroma.list_collections()}
    if two.settings.catalog_url is None:
        assert not two.corpora._stores.catalog_folder("scratch").exists()
    two.corpora.create("scratch")
    assert two.corpus("scratch").catalog.count() == 0 and two.corpus("scratch").vectors.count() == 0


def test_names_are_checked_and_the_default_collection_stays(components: Components) -> None:
    for bad in ("Wire", "-wire", "wire-", "w/x", "", "x" * 41):
        with pytest.raises(CollectionNameError):
            components.corpora.create(bad)
    components.corpora.create("wire")
    with pytest.raises(CollectionExists):
        components.corpora.create("wire")
    with pytest.raises(CollectionExists):
        components.corpora.create("default")
    with pytest.raises(DefaultCollectionError):
        components.corpora.delete("default")
    with pytest.raises(UnknownCollection):
        components.corpus("nosuch")


def test_an_interrupted_deletion_is_finished_before_the_name_is_made_again(two: Components) -> None:
    two.corpora._registry.mark_deleting("wire")  # a crash right after the first step
    with pytest.raises(UnknownCollection):
        two.corpus("wire")
    two.corpora.create("wire")
    assert two.corpus("wire").catalog.count() == 0 and two.corpus("wire").vectors.count() == 0


def test_a_data_dir_made_before_collections_opens_as_the_default_one(settings: Settings,
                                                                     embedder: Embedder) -> None:
    """Stores written the way the service wrote them before collections (a catalog without
    the registry, a feeds table without a collection, one Chroma collection) are read as
    they are: nothing is embedded again."""
    encoder = encoder_identity(settings.encoder_precision)
    if settings.catalog_url is not None:
        catalog: Catalog = PostgresCatalog(settings.catalog_url.get_secret_value())
        vectors = VectorStore.server(settings.chroma_host, settings.chroma_port, settings.collection, encoder)
    else:
        catalog = SqliteCatalog(settings.catalog_path)
        vectors = VectorStore.embedded(settings.chroma_path, settings.collection, encoder)
    catalog.execute("CREATE TABLE feeds (feed_id TEXT PRIMARY KEY, url TEXT NOT NULL, source TEXT,"
                    " every_s INTEGER NOT NULL, added_at TEXT NOT NULL, next_poll_at DOUBLE PRECISION NOT NULL,"
                    " etag TEXT, last_modified TEXT, failures INTEGER NOT NULL DEFAULT 0, last_fetch_at TEXT,"
                    " last_status TEXT, last_new_at TEXT, last_error TEXT,"
                    " articles_added INTEGER NOT NULL DEFAULT 0, articles_updated INTEGER NOT NULL DEFAULT 0,"
                    " lease_owner TEXT, lease_until DOUBLE PRECISION)")
    catalog.execute("INSERT INTO feeds (feed_id, url, every_s, added_at, next_poll_at)"
                    " VALUES ('0c87f88ef0dd', 'https://harbor.example/rss', 900, '2024-03-01', 0)")
    old = Components(settings)
    old.embedder = embedder
    Indexer(embedder, old.chunker, catalog, vectors).ingest(HARBOR)
    catalog.close()

    reopened = Components(settings)
    reopened.embedder = embedder
    try:
        again = reopened.corpus().indexer.ingest(HARBOR)
        assert len(again.unchanged) == 2 and again.chunks == 0
        assert reopened.corpora.names() == ["default"]
        [feed] = reopened.feed_registry.list(["default"])
        assert feed.feed_id == "0c87f88ef0dd" and feed.collection == "default"
    finally:
        reopened.close()


def test_a_search_still_running_on_a_deleted_collection_fails_and_makes_nothing_again(two: Components) -> None:
    wire = two.corpus("wire")
    two.corpora.delete("wire")
    with pytest.raises(dependency_exception_types()):
        wire.retriever.search("Who is buying Calder Mining?", RetrievalOptions(rerank=False))
    assert two.corpora._stores.chroma_name("wire") not in {c.name for c in two.chroma.list_collections()}
    if two.settings.catalog_url is None:
        assert not two.corpora._stores.catalog_folder("wire").exists()

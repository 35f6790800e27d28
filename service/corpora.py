"""The collections of a deployment: made, opened and deleted by name.

A collection's parts (its stores, indexer, retriever and ask service, with the caches
they hold) are built when it is first used and kept by name and generation, so a request
costs one registry lookup, and a collection deleted and made again by another process is
never read through the old one's stores.

Deleting a collection first marks it in the registry, so every process stops reading it
at once; then its feeds, vectors and catalog go; the row goes last. A deletion that a
crash interrupted is finished before the name is made again.
"""

from __future__ import annotations

import threading
from typing import Callable, Generic, Protocol, TypeVar

from ingest.store.catalog import Catalog
from ingest.store.collection_registry import (DEFAULT_COLLECTION, CollectionRegistry, CollectionRow,
                                              DefaultCollectionError, UnknownCollection, check_name)
from ingest.store.vectors import VectorStore
from service.collection_stores import CollectionStores


class Opened(Protocol):
    """What a collection's assembled parts must offer this cache; ``close`` is called when
    the whole deployment shuts down."""

    generation: str

    def close(self) -> None: ...


C = TypeVar("C", bound=Opened)


class Corpora(Generic[C]):
    def __init__(self, registry: CollectionRegistry, stores: CollectionStores,
                 build: Callable[[CollectionRow, Catalog, VectorStore], C],
                 on_delete: Callable[[str], None], *, serving: str = DEFAULT_COLLECTION) -> None:
        """``serving`` is the collection this process answers by default: it cannot be
        deleted under it."""
        self._registry = registry
        self._serving = serving
        self._stores = stores
        self._build = build
        self._on_delete = on_delete
        self._open: dict[str, C] = {}
        self._lock = threading.Lock()

    def open(self, name: str, *, visible: bool = True) -> C:
        """The collection's parts; ``UnknownCollection`` for a name that is not a ready
        collection (a malformed one included), and, after the same lookup, for one the
        caller may not see (``visible`` False), so that both take the same path."""
        row = self._registry.find(name)
        if row is None or not visible:
            raise UnknownCollection(name)
        with self._lock:
            held = self._open.get(name)
            if held is not None and held.generation == row.generation:
                return held
            built = self._build(row, self._stores.catalog(name, create=False),
                                self._stores.vectors(name, create=False))
            self._open[name] = built
            return built

    def catalog(self, name: str) -> Catalog:
        """A collection's catalog alone, for readers that need no vectors: the command line
        lists documents next to a service that holds the Chroma files."""
        if self._registry.find(name) is None:
            raise UnknownCollection(name)
        return self._stores.catalog(name, create=False)

    def find(self, name: str) -> CollectionRow | None:
        """The registry row of a ready collection, without opening its stores."""
        return self._registry.find(name)

    def names(self) -> list[str]:
        return [row.name for row in self._registry.ready()]

    def rows(self) -> list[CollectionRow]:
        return self._registry.ready()

    def create(self, name: str) -> CollectionRow:
        """Raises ``CollectionNameError`` or ``CollectionExists``; what a crash left of an
        earlier collection of the same name is removed first."""
        check_name(name)
        if name in self._registry.unfinished():
            self._finish_delete(name)
        row = self._registry.begin_create(name)
        self._stores.catalog(name, create=True).close()
        self._stores.vectors(name, create=True)
        self._registry.finish_create(name)
        return row

    def delete(self, name: str) -> bool:
        """False when there is no such collection."""
        if name == DEFAULT_COLLECTION:
            raise DefaultCollectionError("the default collection cannot be deleted; delete its documents instead")
        if name == self._serving:
            raise DefaultCollectionError(
                f"'{name}' is the collection this service answers by default (NEWSQA_DEFAULT_COLLECTION); "
                "serve another one by default first")
        if not self._registry.mark_deleting(name):
            return False
        self._finish_delete(name)
        return True

    def _finish_delete(self, name: str) -> None:
        """The parts of the collection are forgotten, not closed: a request still reading
        through them ends with its own error instead of a closed connection's, and they
        go once nothing holds them."""
        with self._lock:
            self._open.pop(name, None)
        self._on_delete(name)
        self._stores.drop(name)
        self._registry.forget(name)

    def close(self) -> None:
        with self._lock:
            held, self._open = list(self._open.values()), {}
        for corpus in held:
            corpus.close()

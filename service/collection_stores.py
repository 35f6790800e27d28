"""Where each collection's data lives: stores of its own in every engine, so that no query
of one collection can reach another's rows, and deleting one is dropping its stores.

| store | ``default`` (a data dir made before collections) | any other collection NAME |
|---|---|---|
| vectors | the Chroma collection ``NEWSQA_COLLECTION`` | ``<NEWSQA_COLLECTION>-NAME`` |
| SQLite catalog + FTS5 | ``<data dir>/catalog.sqlite3`` | ``<data dir>/collections/NAME/catalog.sqlite3`` |
| PostgreSQL catalog + full text | the connection's own schema | schema ``newsqa_NAME`` |
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ingest.store.catalog import Catalog
from ingest.store.collection_registry import DEFAULT_COLLECTION
from ingest.store.postgres_catalog import PostgresCatalog
from ingest.store.sqlite_catalog import SqliteCatalog
from ingest.store.vectors import VectorStore, drop_collection


class CollectionStores:
    def __init__(self, main_catalog: Catalog, chroma: Any, *, chroma_base: str, encoder: str,
                 data_dir: Path, catalog_url: str | None) -> None:
        self._main = main_catalog
        self._chroma = chroma
        self._chroma_base = chroma_base
        self._encoder = encoder
        self._data_dir = data_dir
        self._catalog_url = catalog_url

    def chroma_name(self, name: str) -> str:
        return self._chroma_base if name == DEFAULT_COLLECTION else f"{self._chroma_base}-{name}"

    def catalog_folder(self, name: str) -> Path:
        return self._data_dir / "collections" / name

    @staticmethod
    def schema(name: str) -> str:
        return f"newsqa_{name}"

    def catalog(self, name: str, *, create: bool) -> Catalog:
        """The default collection's catalog is the main one (it also holds the registry and
        the feeds); another collection's is opened anew."""
        if name == DEFAULT_COLLECTION:
            return self._main
        if self._catalog_url is not None:
            return PostgresCatalog(self._catalog_url, schema=self.schema(name), create=create)
        return SqliteCatalog(self.catalog_folder(name) / "catalog.sqlite3", create=create)

    def vectors(self, name: str, *, create: bool) -> VectorStore:
        return VectorStore(self._chroma, self.chroma_name(name), self._encoder,
                           create=create or name == DEFAULT_COLLECTION)

    def drop(self, name: str) -> None:
        """Vectors first, catalog last: until the catalog is gone the registry still says
        the collection is being deleted, and a crash in between is finished next time."""
        if name == DEFAULT_COLLECTION:
            raise ValueError("the default collection's stores are never dropped")
        drop_collection(self._chroma, self.chroma_name(name))
        if isinstance(self._main, PostgresCatalog):
            self._main.drop_schema(self.schema(name))
        else:
            shutil.rmtree(self.catalog_folder(name), ignore_errors=True)

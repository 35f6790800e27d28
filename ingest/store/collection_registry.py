"""Which collections a data dir holds, in a table of its main catalog.

A collection is a corpus of its own: its documents, chunks, lexical entries and vectors
live in stores no other collection reads (see ``service.corpora``). This table only names
them, so that every process and host on the same catalog sees a collection appear and
disappear at once. The collection a data dir had before collections existed is
``default``: it is implied, never stored, and cannot be deleted.

Each row carries a generation, new at every creation, so that a process that cached the
stores of a collection deleted and made again elsewhere notices and opens the new ones.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from ingest.store.catalog import Catalog

DEFAULT_COLLECTION = "default"
# Lower case, so that two names never differ by case alone; short, so that it fits into a
# Chroma collection name, a PostgreSQL schema name and a file name unchanged.
NAME_PATTERN = r"[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?"
_NAME = re.compile(NAME_PATTERN)
NAME_RULE = ("1-40 characters: lower-case letters, digits, '-' and '_', starting and ending "
             "with a letter or digit")

SCHEMA = """CREATE TABLE IF NOT EXISTS collections (
    name TEXT PRIMARY KEY,
    generation TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'ready'
)"""


class CollectionNameError(ValueError):
    """A name that cannot be a collection's; the message says the rule."""


class UnknownCollection(LookupError):
    """No such collection, or one the caller may not use: both read the same, so that a
    name cannot be probed."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no collection '{name}'")
        self.name = name


class CollectionExists(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"collection '{name}' exists already")
        self.name = name


class DefaultCollectionError(ValueError):
    """The default collection holds what a data dir had before collections; it stays."""


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise CollectionNameError(f"'{name[:60]}' is not a collection name: {NAME_RULE}")
    return name


@dataclass(frozen=True)
class CollectionRow:
    name: str
    generation: str
    created_at: str | None


DEFAULT_ROW = CollectionRow(DEFAULT_COLLECTION, DEFAULT_COLLECTION, None)


class CollectionRegistry:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        with catalog.transaction() as conn:
            catalog.execute(SCHEMA, (), conn)

    def find(self, name: str) -> CollectionRow | None:
        """The ready collection of that name; one indexed lookup, cheap enough per request."""
        if name == DEFAULT_COLLECTION:
            return DEFAULT_ROW
        row = self._catalog.execute(
            "SELECT name, generation, created_at FROM collections WHERE name=? AND state='ready'",
            (name,)).fetchone()
        return CollectionRow(row["name"], row["generation"], row["created_at"]) if row else None

    def ready(self) -> list[CollectionRow]:
        rows = self._catalog.execute(
            "SELECT name, generation, created_at FROM collections WHERE state='ready' ORDER BY name")
        return [DEFAULT_ROW, *(CollectionRow(r["name"], r["generation"], r["created_at"]) for r in rows)]

    def begin_create(self, name: str) -> CollectionRow:
        """Stores the row as ``creating``: invisible until ``finish_create``, so a crash
        between making the stores and this leaves nothing a reader could open."""
        check_name(name)
        if name == DEFAULT_COLLECTION:
            raise CollectionExists(name)
        row = CollectionRow(name, uuid.uuid4().hex,
                            datetime.now(timezone.utc).isoformat(timespec="seconds"))
        with self._catalog.transaction() as conn:
            found = self._catalog.execute("SELECT state FROM collections WHERE name=?", (name,), conn).fetchone()
            if found and found["state"] == "ready":
                raise CollectionExists(name)
            if found:
                self._catalog.execute("DELETE FROM collections WHERE name=?", (name,), conn)
            self._catalog.execute(
                "INSERT INTO collections (name, generation, created_at, state) VALUES (?,?,?,'creating')",
                (row.name, row.generation, row.created_at), conn)
        return row

    def finish_create(self, name: str) -> None:
        self._catalog.execute("UPDATE collections SET state='ready' WHERE name=?", (name,))

    def mark_deleting(self, name: str) -> bool:
        """First step of a deletion: every read of the collection fails from now on, in
        every process, before any of its data is removed."""
        with self._catalog.transaction() as conn:
            return self._catalog.execute(
                "UPDATE collections SET state='deleting' WHERE name=?", (name,), conn).rowcount > 0

    def unfinished(self) -> list[str]:
        """Collections whose creation or deletion a crash interrupted."""
        return [r["name"] for r in self._catalog.execute(
            "SELECT name FROM collections WHERE state<>'ready' ORDER BY name")]

    def forget(self, name: str) -> None:
        self._catalog.execute("DELETE FROM collections WHERE name=? AND state<>'ready'", (name,))

"""Watched feeds and what their polls found, in tables beside the catalog's documents.

They live in the catalog (SQLite or PostgreSQL) so that the CLI, every API worker and
every host see the same feeds, and so that a poll's outcome is stored where the articles
it added are. A feed's validators (ETag, Last-Modified) and the fingerprints of the entries
it has ingested are written only after those entries are in the index: a poll killed
half-way is simply repeated, and the idempotent indexer turns the repeat into no-ops.
A feed belongs to one collection, whose index its articles go into; the same address
watched for two collections is two feeds.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Collection, Mapping

from ingest.article import canonical_url
from ingest.store.catalog import Catalog
from ingest.store.collection_registry import DEFAULT_COLLECTION

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS feeds (
        feed_id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        source TEXT,
        every_s INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        next_poll_at DOUBLE PRECISION NOT NULL,
        etag TEXT,
        last_modified TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        last_fetch_at TEXT,
        last_status TEXT,
        last_new_at TEXT,
        last_error TEXT,
        articles_added INTEGER NOT NULL DEFAULT 0,
        articles_updated INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until DOUBLE PRECISION
    )""",
    "CREATE INDEX IF NOT EXISTS feeds_due ON feeds(next_poll_at)",
    """CREATE TABLE IF NOT EXISTS feed_entries (
        feed_id TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        PRIMARY KEY (feed_id, entry_key)
    )""",
)
# Columns added after feeds were first stored: feeds of older catalogs are the default collection's.
ADDED_FEED_COLUMNS = {"collection": f"TEXT NOT NULL DEFAULT '{DEFAULT_COLLECTION}'"}
FEED_ID_CHARS = 12


def feed_id_for(url: str, collection: str = DEFAULT_COLLECTION) -> str:
    """One id per address (after canonicalisation) and collection: adding a feed twice
    changes its settings instead of watching it twice. The default collection's ids are
    those of feeds stored before collections existed."""
    key = canonical_url(url) if collection == DEFAULT_COLLECTION else f"{collection}\n{canonical_url(url)}"
    return hashlib.sha256(key.encode()).hexdigest()[:FEED_ID_CHARS]


@dataclass(frozen=True)
class Feed:
    """A watched feed and the outcome of its latest poll; times are ISO (UTC) strings
    except ``next_poll_at``, seconds since the epoch."""

    feed_id: str
    url: str
    source: str | None
    every_s: int
    added_at: str
    next_poll_at: float
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_fetch_at: str | None = None
    last_status: str | None = None
    last_new_at: str | None = None
    last_error: str | None = None
    articles_added: int = 0
    articles_updated: int = 0
    collection: str = DEFAULT_COLLECTION

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class PollRecord:
    """What one poll changes on its feed's row. ``etag``/``last_modified`` None keep the
    stored validators (a failed poll must not forget them)."""

    status: str
    fetched_at: str
    next_poll_at: float
    failures: int
    error: str | None = None
    added: int = 0
    updated: int = 0
    etag: str | None = None
    last_modified: str | None = None


_FEED_COLUMNS = ", ".join(Feed.__dataclass_fields__)


class FeedStore:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        with catalog.transaction() as conn:
            for statement in SCHEMA:
                catalog.execute(statement, (), conn)
        catalog.ensure_columns("feeds", ADDED_FEED_COLUMNS)

    def add(self, url: str, every_s: int, source: str | None, now: float, now_iso: str,
            collection: str = DEFAULT_COLLECTION) -> tuple[Feed, bool]:
        """The feed and whether it is new; a known address keeps its history and takes the
        new interval and source. A new feed is due at once."""
        feed_id = feed_id_for(url, collection)
        with self._catalog.transaction() as conn:
            known = self._catalog.execute("SELECT 1 FROM feeds WHERE feed_id=?", (feed_id,), conn).fetchone()
            if known:
                self._catalog.execute("UPDATE feeds SET every_s=?, source=? WHERE feed_id=?",
                                      (every_s, source, feed_id), conn)
            else:
                self._catalog.execute(
                    "INSERT INTO feeds (feed_id, url, source, every_s, added_at, next_poll_at, collection)"
                    " VALUES (?,?,?,?,?,?,?)", (feed_id, url, source, every_s, now_iso, now, collection), conn)
        feed = self.get(feed_id)
        assert feed is not None
        return feed, not known

    def get(self, feed_id: str) -> Feed | None:
        row = self._catalog.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE feed_id=?", (feed_id,)).fetchone()
        return _feed(row) if row else None

    def list(self, collections: Collection[str] | None = None) -> list[Feed]:
        """Every feed, or those of ``collections``."""
        where, args = "", []
        if collections is not None:
            where = f" WHERE collection IN ({','.join('?' * len(collections)) or 'NULL'})"
            args = sorted(collections)
        return [_feed(r) for r in self._catalog.execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds{where} ORDER BY added_at, feed_id", args)]

    def remove(self, feed_id: str) -> bool:
        """Stop watching; the articles it brought stay in the index."""
        with self._catalog.transaction() as conn:
            self._catalog.execute("DELETE FROM feed_entries WHERE feed_id=?", (feed_id,), conn)
            return self._catalog.execute("DELETE FROM feeds WHERE feed_id=?", (feed_id,), conn).rowcount > 0

    def remove_collection(self, collection: str) -> None:
        """The feeds of a collection that is being deleted, with what they recorded."""
        with self._catalog.transaction() as conn:
            self._catalog.execute("DELETE FROM feed_entries WHERE feed_id IN"
                                  " (SELECT feed_id FROM feeds WHERE collection=?)", (collection,), conn)
            self._catalog.execute("DELETE FROM feeds WHERE collection=?", (collection,), conn)

    def due(self, now: float) -> list[Feed]:
        """Feeds whose next poll has come and that no poller holds, the longest waiting first."""
        return [_feed(r) for r in self._catalog.execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE next_poll_at <= ?"
            " AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_poll_at, feed_id", (now, now))]

    def seen_entries(self, feed_id: str) -> dict[str, str]:
        """``entry key -> fingerprint`` of the entries already in the index."""
        return {r["entry_key"]: r["fingerprint"] for r in self._catalog.execute(
            "SELECT entry_key, fingerprint FROM feed_entries WHERE feed_id=?", (feed_id,))}

    def record(self, feed_id: str, poll: PollRecord, entries: Mapping[str, str] | None = None) -> None:
        """Store a poll's outcome and the fingerprints of the entries it indexed, together."""
        new = poll.added + poll.updated > 0
        with self._catalog.transaction() as conn:
            for key, fingerprint in (entries or {}).items():
                self._catalog.execute(
                    "INSERT INTO feed_entries (feed_id, entry_key, fingerprint) VALUES (?,?,?)"
                    " ON CONFLICT (feed_id, entry_key) DO UPDATE SET fingerprint=excluded.fingerprint",
                    (feed_id, key, fingerprint), conn)
            self._catalog.execute(
                "UPDATE feeds SET last_status=?, last_fetch_at=?, next_poll_at=?, failures=?, last_error=?,"
                " articles_added=articles_added+?, articles_updated=articles_updated+?,"
                " etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified),"
                " last_new_at=CASE WHEN ? THEN ? ELSE last_new_at END WHERE feed_id=?",
                (poll.status, poll.fetched_at, poll.next_poll_at, poll.failures, poll.error,
                 poll.added, poll.updated, poll.etag, poll.last_modified, new, poll.fetched_at,
                 feed_id), conn)


def _feed(row: Any) -> Feed:
    return Feed(**{name: row[name] for name in Feed.__dataclass_fields__})

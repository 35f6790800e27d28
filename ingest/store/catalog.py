"""The SQLite catalog: source of truth for which documents exist, their full clean text,
and the FTS5 lexical index over their chunks.

A document row is written last in an ingest, in one transaction with its chunks and their
lexical entries, so a row that exists always has complete vectors behind it; readers trust
only vectors whose ``content_hash`` matches the row.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from ingest.store.records import ChunkRecord, DocumentRecord, SearchFilters, day_number

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    url TEXT,
    published TEXT,
    published_day INTEGER,
    source TEXT,
    author TEXT,
    origin TEXT NOT NULL,
    n_chunks INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'ready'
);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published_day);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(title, body, tokenize='porter unicode61');
"""

STOPWORDS = frozenset(
    "a an and are as at be but by did do does for from had has have he her his how i if in "
    "into is it its me my of on or our she so than that the their them then there these they "
    "this those to us was we were what when where which who whom why will with would you your "
    "about after again also any can could should".split()
)
_TERM = re.compile(r"\w+", re.UNICODE)


def _batches(items: Sequence[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """Unique items in slices small enough for SQLite's parameter limit, with the matching
    ``?,?,...`` placeholder list."""
    unique = list(dict.fromkeys(items))
    for i in range(0, len(unique), size):
        part = unique[i:i + size]
        yield part, ",".join("?" * len(part))


def match_expression(query: str) -> str | None:
    """An FTS5 OR-query of the question's content words, each quoted so that punctuation
    in user text can never be read as FTS syntax."""
    terms = []
    for term in _TERM.findall(query.lower()):
        if term not in STOPWORDS and term not in terms:
            terms.append(term)
    if not terms:
        return None
    return " OR ".join(f'"{t}"' for t in terms)


class Catalog:
    """One SQLite file in WAL mode; safe for several threads and processes on one host."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def content_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """Current hashes of ready documents, for the unchanged-document check."""
        found: dict[str, str] = {}
        conn = self._conn()
        for part, marks in _batches(doc_ids):
            for row in conn.execute(
                f"SELECT doc_id, content_hash FROM documents WHERE state='ready' AND doc_id IN ({marks})",
                part,
            ):
                found[row["doc_id"]] = row["content_hash"]
        return found

    def put(self, conn: sqlite3.Connection, doc: DocumentRecord, chunks: Sequence[ChunkRecord]) -> None:
        """Replace a document, its chunks and their lexical entries inside ``conn``'s
        transaction."""
        self._delete_rows(conn, doc.doc_id)
        conn.execute(
            "INSERT INTO documents (doc_id, content_hash, title, text, url, published, published_day,"
            " source, author, origin, n_chunks, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.doc_id, doc.content_hash, doc.title, doc.text, doc.url, doc.published,
             day_number(doc.published), doc.source, doc.author, doc.origin, doc.n_chunks,
             doc.ingested_at),
        )
        for chunk in chunks:
            cursor = conn.execute(
                "INSERT INTO chunks (chunk_id, doc_id, idx, start, end) VALUES (?,?,?,?,?)",
                (chunk.chunk_id, chunk.doc_id, chunk.index, chunk.start, chunk.end),
            )
            conn.execute("INSERT INTO chunks_fts (rowid, title, body) VALUES (?,?,?)",
                         (cursor.lastrowid, doc.title, chunk.text))

    def _delete_rows(self, conn: sqlite3.Connection, doc_id: str) -> None:
        conn.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id=?)",
            (doc_id,),
        )
        conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))

    def mark_deleting(self, doc_id: str) -> bool:
        """First step of a delete: the document disappears from every read at once, and a
        crash before its vectors are gone leaves a marker that the next run finishes."""
        with self.transaction() as conn:
            cur = conn.execute("UPDATE documents SET state='deleting' WHERE doc_id=?", (doc_id,))
            return cur.rowcount > 0

    def pending_deletes(self) -> list[str]:
        return [r["doc_id"] for r in self._conn().execute(
            "SELECT doc_id FROM documents WHERE state='deleting'")]

    def finish_delete(self, doc_id: str) -> None:
        with self.transaction() as conn:
            self._delete_rows(conn, doc_id)

    def get(self, doc_id: str) -> DocumentRecord | None:
        row = self._conn().execute(
            "SELECT * FROM documents WHERE doc_id=? AND state='ready'", (doc_id,)).fetchone()
        return _document(row) if row else None

    def get_many(self, doc_ids: Sequence[str]) -> dict[str, DocumentRecord]:
        found: dict[str, DocumentRecord] = {}
        for part, marks in _batches(doc_ids):
            for row in self._conn().execute(
                f"SELECT * FROM documents WHERE state='ready' AND doc_id IN ({marks})", part):
                found[row["doc_id"]] = _document(row)
        return found

    def list(self, *, limit: int = 100, offset: int = 0, source: str | None = None) -> list[DocumentRecord]:
        """Newest first, then by title, so a listing reads like a news front page."""
        sql = "SELECT * FROM documents WHERE state='ready'"
        args: list[object] = []
        if source:
            sql += " AND source=?"
            args.append(source)
        sql += " ORDER BY published_day DESC NULLS LAST, title LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [_document(r) for r in self._conn().execute(sql, args)]

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        doc = self.get(doc_id)
        if doc is None:
            return []
        rows = self._conn().execute(
            "SELECT chunk_id, idx, start, end FROM chunks WHERE doc_id=? ORDER BY idx", (doc_id,))
        return [ChunkRecord(r["chunk_id"], doc_id, r["idx"], r["start"], r["end"],
                            doc.text[r["start"]:r["end"]]) for r in rows]

    def chunk_spans(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, int, int]]:
        """``chunk_id -> (doc_id, start, end)`` for chunks of ready documents."""
        found: dict[str, tuple[str, int, int]] = {}
        for part, marks in _batches(chunk_ids):
            for row in self._conn().execute(
                "SELECT c.chunk_id, c.doc_id, c.start, c.end FROM chunks c JOIN documents d"
                f" ON d.doc_id = c.doc_id WHERE d.state='ready' AND c.chunk_id IN ({marks})", part):
                found[row["chunk_id"]] = (row["doc_id"], row["start"], row["end"])
        return found

    def lexical_search(self, query: str, k: int, filters: SearchFilters) -> list[tuple[str, str, float]]:
        """``(chunk_id, doc_id, score)`` best first by BM25 (higher is better); filters are
        part of the SQL, so ``k`` results come back whenever ``k`` matching chunks exist."""
        expression = match_expression(query)
        if expression is None:
            return []
        sql = (
            "SELECT c.chunk_id, c.doc_id, bm25(chunks_fts, 0.5, 1.0) AS rank FROM chunks_fts"
            " JOIN chunks c ON c.rowid = chunks_fts.rowid"
            " JOIN documents d ON d.doc_id = c.doc_id"
            " WHERE chunks_fts MATCH ? AND d.state='ready'"
        )
        args: list[object] = [expression]
        if filters.sources:
            sql += f" AND d.source IN ({','.join('?' * len(filters.sources))})"
            args += list(filters.sources)
        if filters.date_from:
            sql += " AND d.published_day >= ?"
            args.append(day_number(filters.date_from))
        if filters.date_to:
            sql += " AND d.published_day <= ?"
            args.append(day_number(filters.date_to))
        sql += " ORDER BY rank LIMIT ?"
        args.append(k)
        return [(r["chunk_id"], r["doc_id"], -float(r["rank"])) for r in self._conn().execute(sql, args)]

    def stats(self) -> dict[str, object]:
        conn = self._conn()
        docs = conn.execute(
            "SELECT COUNT(*) n, MIN(published) first, MAX(published) last FROM documents"
            " WHERE state='ready'").fetchone()
        chunks = conn.execute(
            "SELECT COUNT(*) n FROM chunks c JOIN documents d ON d.doc_id=c.doc_id"
            " WHERE d.state='ready'").fetchone()
        sources = {r["source"] or "(none)": r["n"] for r in conn.execute(
            "SELECT source, COUNT(*) n FROM documents WHERE state='ready'"
            " GROUP BY source ORDER BY n DESC")}
        return {"documents": docs["n"], "chunks": chunks["n"], "first_published": docs["first"],
                "last_published": docs["last"], "sources": sources}

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _document(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(
        doc_id=row["doc_id"], content_hash=row["content_hash"], title=row["title"],
        text=row["text"], url=row["url"], published=row["published"], source=row["source"],
        author=row["author"], origin=row["origin"], n_chunks=row["n_chunks"],
        ingested_at=row["ingested_at"],
    )

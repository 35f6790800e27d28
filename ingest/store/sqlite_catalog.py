"""The embedded catalog: one SQLite file in WAL mode with an FTS5 (BM25) index; safe for
several threads and processes on one host."""

from __future__ import annotations

import math
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Collection, Iterator

from ingest.store.catalog import ADDED_DOCUMENT_COLUMNS, DOCUMENTS_SCHEMA, VECTORS_SCHEMA, Catalog
from ingest.store.connections import ThreadConnections
from ingest.store.records import ChunkRecord, DocumentRecord, SearchFilters
from ingest.words import query_terms

_SCHEMA = DOCUMENTS_SCHEMA + VECTORS_SCHEMA.format(binary="BLOB") + """
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(title, body, tokenize='porter unicode61');
-- Every column a filter or the census reads, by document: a search joins its matches to
-- their documents through it without reading the rows, whose text comes before the date.
CREATE INDEX IF NOT EXISTS documents_filter ON documents(doc_id, state, source, published_day, ingested_at, n_chunks);
CREATE TABLE IF NOT EXISTS generation (id INTEGER PRIMARY KEY CHECK (id = 0), n INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS chunk_added AFTER INSERT ON chunks BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS chunk_removed AFTER DELETE ON chunks BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS document_added AFTER INSERT ON documents BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS document_removed AFTER DELETE ON documents BEGIN UPDATE generation SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS document_changed AFTER UPDATE ON documents BEGIN UPDATE generation SET n = n + 1; END;
"""


SHORTLIST_FACTOR = 4
SHORTLIST_MAX_SHARE = 0.2


class SqliteCatalog(Catalog):
    """``create`` False opens only a file that exists: a collection deleted while a request
    runs must not come back as an empty file when that request opens a connection."""

    max_query_matches = 50_000

    def __init__(self, path: Path, *, create: bool = True) -> None:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._mode = "rwc" if create else "rw"
        self._connections = ThreadConnections(self._connect, lambda conn: True)
        self._conn().executescript(_SCHEMA)
        if self._conn().execute("SELECT count(*) FROM generation").fetchone()[0] == 0:
            self._conn().execute("INSERT OR IGNORE INTO generation VALUES (0, 0)")
        self.ensure_columns("documents", ADDED_DOCUMENT_COLUMNS)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode={self._mode}", uri=True, timeout=30,
                               isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _conn(self) -> sqlite3.Connection:
        return self._connections.get()

    def _columns(self, table: str, conn: sqlite3.Connection) -> set[str]:
        return {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}

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

    def _insert_chunk(self, conn: sqlite3.Connection, doc: DocumentRecord, chunk: ChunkRecord) -> None:
        cursor = conn.execute(
            'INSERT INTO chunks (chunk_id, doc_id, idx, start, "end") VALUES (?,?,?,?,?)',
            (chunk.chunk_id, chunk.doc_id, chunk.index, chunk.start, chunk.end),
        )
        conn.execute("INSERT INTO chunks_fts (rowid, title, body) VALUES (?,?,?)",
                     (cursor.lastrowid, doc.title, chunk.text))

    def _delete_lexical(self, conn: sqlite3.Connection, doc_id: str) -> None:
        conn.execute(
            "DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id=?)",
            (doc_id,),
        )

    def lexical_search(self, query: str, k: int, filters: SearchFilters,
                       within: Collection[str] | None = None) -> list[tuple[str, str, float]]:
        """The best matches by BM25 alone can come first, as many as hold
        ``SHORTLIST_FACTOR * k`` chunks the filters keep at the share of the index they keep,
        and only they are joined to their chunks and documents: the shortlist's best ``k``
        are the filtered search's best ``k`` whenever it holds ``k``. Ranking the best of
        the matches costs a sort, so this pays only while the shortlist is at most
        ``SHORTLIST_MAX_SHARE`` of the question's matches: at 100k articles, `as_of`
        searches whose shortlist was under a twentieth of their matches took 59 ms against
        135 ms joining every match, those at 0.2-0.4 took 133 ms against 113. Else, and
        when the shortlist falls short (documents being deleted, a filter that keeps few of
        the best matches), every match is joined at once; a narrow filter's chunks
        (``within``) are then checked on each match (``_within_clause``), which beats the
        date clause: 3 ms against 10 for a date that keeps 80 of 11,529 chunks, and 22 ms
        against 127 for a month of 397k chunks."""
        census = self._counts().census
        kept = census.count(filters) if within is None else len(within)
        if not kept:
            return []
        shortlist = math.ceil(SHORTLIST_FACTOR * k * census.total / kept)
        if shortlist <= SHORTLIST_MAX_SHARE * self._matches_at_most(query):
            hits = self._lexical_query(query, k, filters, shortlist)
            if len(hits) >= k:
                return hits
        return self._lexical_query(query, k, filters, None, within)

    def _matches_at_most(self, query: str) -> int:
        """The chunks a full-text search for ``query`` can match: its searched terms'
        matches added up."""
        terms = query_terms(query)
        if not terms:
            return 0
        searched = self._informative(terms)
        return sum(self.term_counts(searched)[1].values())

    def _within_clause(self, marks: str) -> str:
        """Checked on each full-text match by its rowid, before the match is joined to its
        chunk row: at 100k articles, a month's 4,500 chunks took 22 ms against 60 ms
        checked by chunk id after the join (the same top 30 for 20 of 20 questions). The
        ``+`` keeps SQLite from handing the list to FTS5 as rowids to look up one by one,
        which took 0.7-1.5 s."""
        return f"+chunks_fts.rowid IN (SELECT rowid FROM chunks WHERE chunk_id IN ({marks}))"

    def _lexical_match(self, terms: list[str], shortlist: int | None) -> tuple[str, str, list[object]]:
        """FTS5 OR-query with BM25, the title weighted half as much as the body."""
        expression = " OR ".join(f'"{t}"' for t in terms)
        bm25 = "-bm25(chunks_fts, 0.5, 1.0)"
        if shortlist is None:
            return ("FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid"
                    " JOIN documents d ON d.doc_id = c.doc_id WHERE chunks_fts MATCH ?",
                    bm25, [expression])
        return (f"FROM (SELECT rowid, {bm25} AS bm25 FROM chunks_fts WHERE chunks_fts MATCH ?"
                " ORDER BY bm25 DESC LIMIT ?) f JOIN chunks c ON c.rowid = f.rowid"
                " JOIN documents d ON d.doc_id = c.doc_id WHERE 1=1", "f.bm25", [expression, shortlist])

    def _json_rows(self, columns: str) -> str:
        return f"json_group_array(json_array({columns}))"

    def _joined(self, column: str, *, text: bool) -> str:
        return f"group_concat({column}, ' ')" if text else f"CAST(group_concat({column}, '') AS BLOB)"

    def _census_from(self) -> str:
        """From the filter index alone: 135-170 ms at 100k articles, against 570 ms through
        the rows."""
        return "documents INDEXED BY documents_filter"

    def _count_term(self, word: str) -> int:
        return int(self._conn().execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
                                        ('"' + word.replace('"', '""') + '"',)).fetchone()[0])

    def close(self) -> None:
        self._connections.close_all()

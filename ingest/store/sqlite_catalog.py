"""The embedded catalog: one SQLite file in WAL mode with an FTS5 (BM25) index; safe for
several threads and processes on one host."""

from __future__ import annotations

import math
import sqlite3
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Collection, Iterator, Sequence

from ingest.store.chunk_census import ChunkCensus
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


PRUNE_FROM_CHUNKS = 1000
MAX_QUERY_TERMS = 8
SHORTLIST_FACTOR = 4
SHORTLIST_MAX_SHARE = 0.2
MAX_QUERY_MATCHES = 50_000


@dataclass
class _Counted:
    generation: int
    census: ChunkCensus
    matches: dict[str, int] = field(default_factory=dict)


class SqliteCatalog(Catalog):
    """``create`` False opens only a file that exists: a collection deleted while a request
    runs must not come back as an empty file when that request opens a connection."""

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
        self._counted: _Counted | None = None

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
        (``within``) are then checked on each match, which beats the date clause: 3 ms
        against 10 for a date that keeps 80 of 11,529 chunks, 72 ms against 127 for a month
        of 397k chunks."""
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

    def admitted_chunks(self, filters: SearchFilters) -> int:
        return self._counts().census.count(filters)

    def _unindexed(self, column: str) -> str:
        return f"+{column}"

    def _lexical_match(self, terms: list[str], shortlist: int | None) -> tuple[str, str, list[object]]:
        """FTS5 OR-query with BM25, the title weighted half as much as the body."""
        expression = " OR ".join(f'"{t}"' for t in self._informative(terms))
        bm25 = "-bm25(chunks_fts, 0.5, 1.0)"
        if shortlist is None:
            return ("FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid"
                    " JOIN documents d ON d.doc_id = c.doc_id WHERE chunks_fts MATCH ?",
                    bm25, [expression])
        return (f"FROM (SELECT rowid, {bm25} AS bm25 FROM chunks_fts WHERE chunks_fts MATCH ?"
                " ORDER BY bm25 DESC LIMIT ?) f JOIN chunks c ON c.rowid = f.rowid"
                " JOIN documents d ON d.doc_id = c.doc_id WHERE 1=1", "f.bm25", [expression, shortlist])

    def _informative(self, terms: list[str]) -> list[str]:
        """In a large index, the ``MAX_QUERY_TERMS`` rarest terms not found in more than half
        of all chunks. FTS5 floors a very common term's BM25 weight to almost nothing, so
        leaving it out keeps the ranking, yet scoring the thousands of chunks it matches was
        most of a search's time (a news question's "week" or "year"). Past the rarest eight,
        a term adds little weight and many matches: on rtqa-dev's 11,529 chunks the cap cut
        a full-text search from 17.5 to 5.8 ms with the same evidence recall@5 after fusion
        (0.467 against 0.458) and after reranking (0.558 both). A small index keeps every
        term, so that a chunk sharing only such words with the question can still be found.

        The rarest terms are also kept only while their matches add up to at most
        ``MAX_QUERY_MATCHES`` (the rarest one always): scoring costs about 1.3 us a match,
        and at 100,000 articles a question's eight terms matched 100k chunks at the median
        (134 ms, 323 ms p95). There, 50,000 matches kept the article a question was taken
        from in the full-text top 30 for 39 of 40 questions, as with no bound, in 53 / 66 ms;
        20,000 kept it for 37. On the dev benches' indexes no question reaches the bound."""
        total, matches = self.term_counts(terms)
        if total < PRUNE_FROM_CHUNKS:
            return terms
        kept = sorted((t for t in terms if matches[t] <= total / 2), key=matches.__getitem__)[:MAX_QUERY_TERMS]
        within = list(accumulate(matches[t] for t in kept))
        return kept[:max(1, bisect_right(within, MAX_QUERY_MATCHES))] if kept else terms

    def _counts(self) -> _Counted:
        """What this catalog remembers while nothing is written: the census of chunks by
        source and day, and each question word's matches (counting a question's terms
        afresh took 2 ms of a 30 ms search). Any write, by this process or another, moves
        the generation that triggers keep; counting the chunks instead read the whole
        chunk table, 5 ms at 10,000 articles on every search."""
        generation = self._conn().execute("SELECT n FROM generation").fetchone()[0]
        if self._counted is None or self._counted.generation != generation:
            self._counted = _Counted(generation, ChunkCensus(self._census_rows()))
        return self._counted

    def _census_rows(self) -> Iterator[tuple[str | None, int | None, str | None, int]]:
        """Dated chunks by source and day (from the filter index alone: 135-170 ms at 100k
        articles, against 570 ms through the rows), then undated ones by the day they were
        ingested."""
        conn = self._conn()
        for row in conn.execute("SELECT source, published_day, sum(n_chunks) FROM documents INDEXED BY documents_filter"
                                " WHERE state='ready' AND published_day IS NOT NULL GROUP BY source, published_day"):
            yield row[0], row[1], None, row[2]
        for row in conn.execute("SELECT source, substr(ingested_at, 1, 10) AS day, sum(n_chunks) FROM documents"
                                " WHERE state='ready' AND published_day IS NULL GROUP BY source, day"):
            yield row[0], None, row[1], row[2]

    def term_counts(self, words: Sequence[str]) -> tuple[int, dict[str, int]]:
        counted = self._counts()
        matches = counted.matches
        for t in words:
            if t not in matches:
                matches[t] = self._conn().execute(
                    "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
                    ('"' + t.replace('"', '""') + '"',)).fetchone()[0]
        return counted.census.total, {t: matches[t] for t in words}

    def close(self) -> None:
        self._connections.close_all()

"""The shared catalog for scale-out: PostgreSQL with its built-in full-text search.

Every API worker and host reads and writes the same database, so a document ingested
through one worker is found lexically by all others at once; there is no per-process index
to go stale. Ranking is ``ts_rank`` (term frequency, normalised by length) over a
weighted ``tsvector`` of title and body, kept in a generated column with a GIN index.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from ingest.store.catalog import ADDED_DOCUMENT_COLUMNS, DOCUMENTS_SCHEMA, VECTORS_SCHEMA, Catalog
from ingest.store.connections import ThreadConnections
from ingest.store.records import ChunkRecord, DocumentRecord

# Any fixed number: every writer of this database takes the same advisory lock, which
# serialises catalog writes the way SQLite's BEGIN IMMEDIATE does.
_WRITE_LOCK = 7_260_413

_SCHEMA = DOCUMENTS_SCHEMA + VECTORS_SCHEMA.format(binary="BYTEA") + """
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'B') || setweight(to_tsvector('english', body), 'A')
    ) STORED
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_tsv ON chunks USING GIN (tsv);
CREATE TABLE IF NOT EXISTS generation (id INTEGER PRIMARY KEY CHECK (id = 0), n BIGINT NOT NULL);
INSERT INTO generation VALUES (0, 0) ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION newsqa_written() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN UPDATE generation SET n = n + 1; RETURN NULL; END $$;
CREATE OR REPLACE TRIGGER chunks_written AFTER INSERT OR UPDATE OR DELETE ON chunks
    FOR EACH STATEMENT EXECUTE FUNCTION newsqa_written();
CREATE OR REPLACE TRIGGER documents_written AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION newsqa_written();
"""


class PostgresCatalog(Catalog):
    """``schema`` None keeps the tables where the connection puts them (a database made
    before collections existed); a schema of its own holds each other collection, so that
    every query of this code stays the same and reads that collection only. ``create``
    False opens only a schema that exists."""

    # Scoring a match costs PostgreSQL about 10-25 us (it reads the chunk's row for its
    # lexical vector), against SQLite's 1.3. At 100,000 articles: 50,000 matches 0.5-0.8 s
    # a search, 20,000 (36 of 40 source articles in the top 30) 0.45-0.47 s, 10,000 (27)
    # 0.35 s.
    max_query_matches = 20_000

    def __init__(self, url: str, *, schema: str | None = None, create: bool = True,
                 connect_timeout_s: int = 5) -> None:
        self.url = url
        self.schema = schema
        self._timeout = connect_timeout_s
        self._connections = ThreadConnections(
            self._connect, lambda conn: not (conn.closed or conn.broken))
        if schema is not None and create:
            self._conn().execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        with self.transaction() as conn:
            conn.execute(_SCHEMA)
        self.ensure_columns("documents", ADDED_DOCUMENT_COLUMNS)

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self.url, autocommit=True, row_factory=dict_row,
                               connect_timeout=self._timeout)
        if self.schema is not None:
            # Without the schema, a table name would fall through to the public one.
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
        return conn

    def _conn(self) -> psycopg.Connection:
        return self._connections.get()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        conn = self._conn()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            yield conn

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def _columns(self, table: str, conn: psycopg.Connection) -> set[str]:
        return {row["column_name"] for row in self._run(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?", (table,), conn)}

    def _insert_chunk(self, conn: psycopg.Connection, doc: DocumentRecord, chunk: ChunkRecord) -> None:
        conn.execute(
            'INSERT INTO chunks (chunk_id, doc_id, idx, start, "end", title, body)'
            " VALUES (%s,%s,%s,%s,%s,%s,%s)",
            (chunk.chunk_id, chunk.doc_id, chunk.index, chunk.start, chunk.end, doc.title, chunk.text),
        )

    def _delete_lexical(self, conn: psycopg.Connection, doc_id: str) -> None:
        """The lexical vector lives in the chunk row and goes with it."""

    def _lexical_match(self, terms: list[str], shortlist: int | None) -> tuple[str, str, list[object]]:
        """Any term matches (``|``); each term is quoted as a tsquery lexeme. PostgreSQL
        plans the whole query itself, so no shortlist is asked for. Ranked by how often the
        terms occur (``ts_rank``), not by how close together (``ts_rank_cd``): at 100,000
        articles the article a question was taken from was in the top 30 for 36 of 40
        questions against 24, in 444-471 ms against 531-626."""
        expression = " | ".join(f"'{t}'" for t in terms)
        return ("FROM chunks c JOIN documents d ON d.doc_id = c.doc_id"
                " CROSS JOIN to_tsquery('english', ?) AS q WHERE c.tsv @@ q",
                "ts_rank(c.tsv, q, 1)", [expression])

    def _json_rows(self, columns: str) -> str:
        return f"json_agg(json_build_array({columns}))::text"

    def _joined(self, column: str, *, text: bool) -> str:
        return f"string_agg({column}, ' ')" if text else f"string_agg({column}, ''::bytea)"

    def _count_term(self, word: str) -> int:
        return int(self._run("SELECT count(*) AS n FROM chunks WHERE tsv @@ plainto_tsquery('english', ?)",
                             (word,)).fetchone()["n"])

    def close(self) -> None:
        self._connections.close_all()

    def drop_schema(self, schema: str) -> None:
        """Another collection's schema with every table and row in it; nothing if it is gone."""
        with self.transaction() as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))

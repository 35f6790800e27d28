"""The catalog: source of truth for which documents exist, their full clean text, and the
lexical index over their chunks. Two engines share this code: a SQLite file (embedded
default, one host) and PostgreSQL (several API workers and hosts).

A document row is written last in an ingest, in one transaction with its chunks and their
lexical entries, so a row that exists always has complete vectors behind it; readers trust
only vectors whose ``content_hash`` matches the row.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from bisect import bisect_right
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, ClassVar, Collection, Iterable, Iterator, Mapping, Sequence

import numpy as np

from ingest.boilerplate import site_key
from ingest.store.chunk_census import ChunkCensus
from ingest.store.records import ChunkRecord, DocumentRecord, SearchFilters, Spans, day_number
from ingest.words import query_terms

# The documents table is the same on both engines; each adds its own chunk and lexical tables.
DOCUMENTS_SCHEMA = """
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
    state TEXT NOT NULL DEFAULT 'ready',
    date_source TEXT
);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published_day);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS site_paragraphs (
    site TEXT NOT NULL,
    paragraph TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (site, paragraph, doc_id)
);
CREATE INDEX IF NOT EXISTS site_paragraphs_doc ON site_paragraphs(doc_id);
"""
# Each chunk's vector beside its row, in the encoder's space: an exact search of a date
# window reads thousands of them, 45 us each from Chroma and about 6 us from here. Its own
# table keeps the chunk rows narrow for the scans that read only spans. ``{binary}`` is
# the engine's byte-string type.
VECTORS_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunk_vectors (
    chunk_id TEXT PRIMARY KEY,
    encoder TEXT NOT NULL,
    vector {binary} NOT NULL
);
"""
# Columns added to the documents table after catalogs were first made: each engine adds
# those an older file or database lacks when it opens it (rows keep NULL until re-ingested).
ADDED_DOCUMENT_COLUMNS = {"date_source": "TEXT"}

# Undated documents ingested by a day: an article was published no later than it was indexed.
_UNDATED = "d.published_day IS NULL AND substr(d.ingested_at, 1, 10) <= ?"
# Both catalogs bind 64-bit integers; a larger offset could only ever list nothing.
MAX_OFFSET = 2**62
# Chunks with their documents, for a WHERE clause on both (``_filter_clause``).
SPANS_FROM = 'SELECT c.chunk_id, c.doc_id, c.start, c."end" FROM chunks c JOIN documents d ON d.doc_id = c.doc_id'
PRUNE_FROM_CHUNKS = 1000
MAX_QUERY_TERMS = 8


@dataclass
class _Counted:
    """What a catalog remembers while nothing is written: the census of its chunks by
    source and day, and the chunks each question word matches."""

    generation: int
    census: ChunkCensus
    matches: dict[str, int] = field(default_factory=dict)


def _filter_clause(filters: SearchFilters) -> tuple[str, list[object]]:
    """SQL conditions on documents ``d`` (ready, and within ``filters``) to append to a
    WHERE clause, with their arguments."""
    sql = " AND d.state='ready'"
    args: list[object] = []
    if filters.sources:
        sql += f" AND d.source IN ({','.join('?' * len(filters.sources))})"
        args += list(filters.sources)
    bounds = [(op, day_number(day)) for op, day in ((">=", filters.date_from), ("<=", filters.date_to)) if day]
    if bounds:
        dated = " AND ".join(f"d.published_day {op} ?" for op, _ in bounds)
        args += [day for _, day in bounds]
        if filters.undated_until:
            sql += f" AND ({dated} OR ({_UNDATED}))"
            args.append(filters.undated_until)
        else:
            sql += f" AND {dated}"
    return sql, args


def _listed(source: str | None) -> tuple[str, list[object]]:
    """The documents a listing shows: ready ones, of one source when it names one."""
    if source:
        return " WHERE state='ready' AND source=?", [source]
    return " WHERE state='ready'", []


def _batches(items: Sequence[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """Unique items in slices small enough for SQL parameter limits, with the matching
    ``?,?,...`` placeholder list."""
    unique = list(dict.fromkeys(items))
    for i in range(0, len(unique), size):
        part = unique[i:i + size]
        yield part, ",".join("?" * len(part))


class Catalog(ABC):
    """Queries both engines share. SQL is written once with ``?`` placeholders; an engine
    rewrites them in :meth:`_sql` if its driver wants another style."""

    @abstractmethod
    def _conn(self) -> Any:
        """This thread's open connection (DB-API style ``execute`` returning a cursor)."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Any]:
        """A write transaction that excludes other writers, yielding its connection."""

    @abstractmethod
    def _insert_chunk(self, conn: Any, doc: DocumentRecord, chunk: ChunkRecord) -> None:
        """Insert one chunk row with its lexical entry."""

    @abstractmethod
    def _delete_lexical(self, conn: Any, doc_id: str) -> None:
        """Drop a document's lexical entries where the engine keeps them apart."""

    @abstractmethod
    def _lexical_match(self, terms: list[str], shortlist: int | None) -> tuple[str, str, list[object]]:
        """``(from_and_where, score_expression, args)`` selecting chunks ``c`` joined to
        documents ``d`` that match any term; a higher score is a better match. With
        ``shortlist``, only that many best matches by text alone need to be considered."""

    @abstractmethod
    def close(self) -> None:
        """Release every connection this catalog opened."""

    @abstractmethod
    def _columns(self, table: str, conn: Any) -> set[str]:
        """Names of the columns ``table`` has now."""

    def _generation(self) -> int:
        """A number that each engine's triggers move on every write to the chunks or
        documents, by any process: what the remembered counts are valid for."""
        return int(self._run("SELECT n FROM generation").fetchone()["n"])

    @abstractmethod
    def _count_term(self, word: str) -> int:
        """Chunks whose lexical entry holds ``word``."""

    # The full-text matches a question's terms may add up to (see ``_informative``); the
    # rarest term is always searched. Each engine sets it by what scoring a match costs it.
    max_query_matches: ClassVar[int]
    _counted: _Counted | None = None

    def _census_from(self) -> str:
        """The documents table as the census query reads it."""
        return "documents"

    def ensure_columns(self, table: str, columns: dict[str, str]) -> None:
        """Adds those of ``columns`` (name -> SQL type and default) that a table made by an
        older version lacks; its rows take the default. Under the write lock, so that two
        processes opening one old catalog at once do not both add a column, and only when
        one is missing: opening a catalog must not wait for an ingest to commit."""
        if set(columns) <= self._columns(table, self._conn()):
            return
        with self.transaction() as conn:
            present = self._columns(table, conn)
            for column, kind in columns.items():
                if column not in present:
                    self._run(f"ALTER TABLE {table} ADD COLUMN {column} {kind}", (), conn)

    def _sql(self, sql: str) -> str:
        return sql

    def _within_clause(self, marks: str) -> str:
        """The condition that keeps a full-text match of ``_lexical_match`` to the listed
        chunk ids (``marks``: their placeholders)."""
        return f"c.chunk_id IN ({marks})"

    def _run(self, sql: str, args: Sequence[object] = (), conn: Any = None) -> Any:
        return (conn or self._conn()).execute(self._sql(sql), args)

    def execute(self, sql: str, args: Sequence[object] = (), conn: Any = None) -> Any:
        """One statement written with ``?`` placeholders, on either engine: how the tables
        kept beside the documents (feeds and their leases) share the catalog's connections."""
        return self._run(sql, args, conn)

    def content_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """Current hashes of ready documents, for the unchanged-document check."""
        found: dict[str, str] = {}
        for part, marks in _batches(doc_ids):
            for row in self._run(
                f"SELECT doc_id, content_hash FROM documents WHERE state='ready' AND doc_id IN ({marks})",
                part,
            ):
                found[row["doc_id"]] = row["content_hash"]
        return found

    def put(self, conn: Any, doc: DocumentRecord, chunks: Sequence[ChunkRecord],
            paragraphs: Collection[str] = (), vectors: Mapping[str, Sequence[float]] | None = None,
            encoder: str = "") -> None:
        """Replace a document, its chunks, their lexical entries, the vectors given for them
        (by chunk id, from ``encoder``) and the keys of its paragraphs (which tell its
        site's boilerplate) inside ``conn``'s transaction."""
        self._delete_rows(conn, doc.doc_id)
        site = site_key(doc.source, doc.url)
        if site:
            for key in sorted(paragraphs):
                self._run("INSERT INTO site_paragraphs (site, paragraph, doc_id) VALUES (?,?,?)",
                          (site, key, doc.doc_id), conn)
        self._run(
            "INSERT INTO documents (doc_id, content_hash, title, text, url, published, published_day,"
            " source, author, origin, n_chunks, ingested_at, date_source)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.doc_id, doc.content_hash, doc.title, doc.text, doc.url, doc.published,
             day_number(doc.published), doc.source, doc.author, doc.origin, doc.n_chunks,
             doc.ingested_at, doc.date_source),
            conn,
        )
        for chunk in chunks:
            self._insert_chunk(conn, doc, chunk)
            vector = (vectors or {}).get(chunk.chunk_id)
            if vector is not None:
                self._keep_vector(conn, chunk.chunk_id, vector, encoder)

    def _delete_rows(self, conn: Any, doc_id: str) -> None:
        self._run("DELETE FROM site_paragraphs WHERE doc_id=?", (doc_id,), conn)
        self._run("DELETE FROM chunk_vectors WHERE chunk_id IN (SELECT chunk_id FROM chunks WHERE doc_id=?)",
                  (doc_id,), conn)
        self._delete_lexical(conn, doc_id)
        self._run("DELETE FROM chunks WHERE doc_id=?", (doc_id,), conn)
        self._run("DELETE FROM documents WHERE doc_id=?", (doc_id,), conn)

    def mark_deleting(self, doc_id: str) -> bool:
        """First step of a delete: the document disappears from every read at once, and a
        crash before its vectors are gone leaves a marker that the next run finishes."""
        with self.transaction() as conn:
            cur = self._run("UPDATE documents SET state='deleting' WHERE doc_id=?", (doc_id,), conn)
            return cur.rowcount > 0

    def pending_deletes(self) -> list[str]:
        return [r["doc_id"] for r in self._run("SELECT doc_id FROM documents WHERE state='deleting'")]

    def finish_delete(self, doc_id: str) -> None:
        with self.transaction() as conn:
            self._delete_rows(conn, doc_id)

    def pages_with_paragraphs(self, site: str, paragraphs: Collection[str],
                              other_than: str) -> dict[str, int]:
        """``paragraph key -> pages`` of ``site`` other than document ``other_than`` that
        hold it, for the keys held anywhere else."""
        found: dict[str, int] = {}
        for part, marks in _batches(sorted(paragraphs)):
            for row in self._run(
                    "SELECT paragraph, COUNT(*) AS n FROM site_paragraphs WHERE site=? AND doc_id<>?"
                    f" AND paragraph IN ({marks}) GROUP BY paragraph", [site, other_than, *part]):
                found[row["paragraph"]] = int(row["n"])
        return found

    def undated_documents(self, ingested_by: str) -> list[str]:
        """Ids of ready documents without a date ingested by the ISO day ``ingested_by``:
        the vector store cannot select rows by a missing field, so bounds that admit
        undated articles name them."""
        return [r["doc_id"] for r in self._run(
            f"SELECT doc_id FROM documents d WHERE {_UNDATED} AND state='ready' ORDER BY doc_id",
            (ingested_by,))]

    def get(self, doc_id: str) -> DocumentRecord | None:
        row = self._run("SELECT * FROM documents WHERE doc_id=? AND state='ready'", (doc_id,)).fetchone()
        return _document(row) if row else None

    def get_many(self, doc_ids: Sequence[str]) -> dict[str, DocumentRecord]:
        found: dict[str, DocumentRecord] = {}
        for part, marks in _batches(doc_ids):
            for row in self._run(
                f"SELECT * FROM documents WHERE state='ready' AND doc_id IN ({marks})", part):
                found[row["doc_id"]] = _document(row)
        return found

    def list(self, *, limit: int = 100, offset: int = 0, source: str | None = None) -> list[DocumentRecord]:
        """Newest first, then by title, so a listing reads like a news front page."""
        where, args = _listed(source)
        sql = f"SELECT * FROM documents{where} ORDER BY published_day DESC NULLS LAST, title, doc_id"
        return [_document(r) for r in self._run(f"{sql} LIMIT ? OFFSET ?", [*args, limit, offset])]

    def count(self, *, source: str | None = None) -> int:
        """How many documents ``list`` pages through, so a page can say what it leaves out."""
        where, args = _listed(source)
        return int(self._run(f"SELECT COUNT(*) AS n FROM documents{where}", args).fetchone()["n"])

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        doc = self.get(doc_id)
        if doc is None:
            return []
        rows = self._run(
            'SELECT chunk_id, idx, start, "end" FROM chunks WHERE doc_id=? ORDER BY idx', (doc_id,))
        return [ChunkRecord(r["chunk_id"], doc_id, r["idx"], r["start"], r["end"],
                            doc.text[r["start"]:r["end"]]) for r in rows]

    def chunk_spans(self, chunk_ids: Sequence[str], filters: SearchFilters = SearchFilters()) -> Spans:
        """``chunk_id -> (doc_id, start, end)`` for chunks of ready documents within
        ``filters``."""
        where, args = _filter_clause(filters)
        found: Spans = {}
        for part, marks in _batches(chunk_ids):
            found.update(self._span_rows(f"{SPANS_FROM} WHERE c.chunk_id IN ({marks}){where}", [*part, *args]))
        return found

    def vectors_of(self, chunk_ids: Collection[str], encoder: str) -> dict[str, np.ndarray]:
        """The stored vectors of those of ``chunk_ids`` that ``encoder`` made; chunks written
        before vectors were kept here have none, and are read from the vector store."""
        found: dict[str, np.ndarray] = {}
        for part, marks in _batches(list(chunk_ids)):
            found.update(self._vector_rows(f"SELECT chunk_id, vector FROM chunk_vectors WHERE chunk_id IN ({marks})"
                                           " AND encoder=?", [*part, encoder]))
        return found

    def _span_rows(self, sql: str, args: Sequence[object]) -> Iterable[tuple[str, tuple[str, int, int]]]:
        """``(chunk_id, (doc_id, start, end))`` of each row of ``sql`` (a selection like
        ``SPANS_FROM``'s), packed by the database into one JSON array. Both drivers make
        each result row a Python object while holding the GIL, so a month of a 100k archive
        (4,000 chunks) took SQLite 23 ms on one thread and ran no faster on two; as one row
        it takes 11 ms and two threads serve 1.6x as many."""
        columns = 'chunk_id, doc_id, start, "end"'
        packed = self._run(f"SELECT {self._json_rows(columns)} AS spans FROM ({sql}) AS packed", args).fetchone()["spans"]
        return ((chunk, (doc, start, end)) for chunk, doc, start, end in json.loads(packed or "[]"))

    def _vector_rows(self, sql: str, args: Sequence[object]) -> Iterable[tuple[str, np.ndarray]]:
        """``(chunk_id, vector)`` of each row of ``sql`` (a selection of ``chunk_id, vector``),
        the vectors joined into one blob for the reason ``_span_rows`` gives (4,000 in
        SQLite: 26 ms on one thread, 1.3x on two; packed 18 ms, 1.75x; PostgreSQL's own
        work dominates there, and its figures did not move). The product's chunk ids hold
        no space (``ingest.pipeline.chunk_id``) and one encoder's vectors have one length;
        rows where either fails are read one by one."""
        row = self._run(f"SELECT count(*) AS n, {self._joined('chunk_id', text=True)} AS ids,"
                        f" max(length(vector)) AS width, {self._joined('vector', text=False)} AS vectors"
                        f" FROM ({sql}) AS packed", args).fetchone()
        if not row["n"]:
            return ()
        ids = row["ids"].split(" ")
        if len(ids) != row["n"] or len(row["vectors"]) != row["n"] * row["width"]:
            return ((r["chunk_id"], np.frombuffer(r["vector"], dtype=np.float32)) for r in self._run(sql, args))
        return zip(ids, np.frombuffer(row["vectors"], dtype=np.float32).reshape(len(ids), -1))

    @abstractmethod
    def _json_rows(self, columns: str) -> str:
        """The aggregate that makes one JSON array, as text, of ``columns``' rows (each an
        array); NULL or ``[]`` for no rows."""

    @abstractmethod
    def _joined(self, column: str, *, text: bool) -> str:
        """The aggregate that joins ``column``'s values: text with spaces, bytes with nothing."""

    def chunks_without_vectors(self, encoder: str, after: str, limit: int) -> list[str]:
        """Live chunks, in id order after ``after``, with no vector of ``encoder`` kept here:
        those an older release wrote, which kept vectors in Chroma only."""
        return [row["chunk_id"] for row in self._run(
            "SELECT c.chunk_id FROM chunks c WHERE c.chunk_id > ? AND NOT EXISTS (SELECT 1 FROM"
            " chunk_vectors v WHERE v.chunk_id = c.chunk_id AND v.encoder = ?) ORDER BY c.chunk_id LIMIT ?",
            (after, encoder, limit))]

    def keep_vectors(self, vectors: Mapping[str, Sequence[float]], encoder: str) -> int:
        """Keeps those of ``vectors`` whose chunk still exists (a chunk deleted since they
        were read gets none); returns how many were kept."""
        with self.transaction() as conn:
            return sum(self._keep_vector(conn, chunk_id, vector, encoder) for chunk_id, vector in vectors.items())

    def _keep_vector(self, conn: Any, chunk_id: str, vector: Sequence[float], encoder: str) -> int:
        """Writes (or replaces) one chunk's vector if the chunk exists; 1 if it was kept."""
        return int(self._run(
            "INSERT INTO chunk_vectors (chunk_id, encoder, vector) SELECT ?, ?, ?"
            " WHERE EXISTS (SELECT 1 FROM chunks WHERE chunk_id = ?) ON CONFLICT (chunk_id)"
            " DO UPDATE SET encoder = excluded.encoder, vector = excluded.vector",
            (chunk_id, encoder, np.asarray(vector, dtype=np.float32).tobytes(), chunk_id), conn).rowcount)

    def lexical_search(self, query: str, k: int, filters: SearchFilters,
                       within: Collection[str] | None = None) -> list[tuple[str, str, float]]:
        """``(chunk_id, doc_id, score)`` best first (higher is better); filters are part of
        the SQL, so ``k`` results come back whenever ``k`` matching chunks exist. ``within``
        (from ``chunks_within``) stands for the filters with the few chunks they keep."""
        return self._lexical_query(query, k, filters, None, within)

    def _lexical_query(self, query: str, k: int, filters: SearchFilters, shortlist: int | None,
                       within: Collection[str] | None = None) -> list[tuple[str, str, float]]:
        terms = query_terms(query)
        if not terms or (within is not None and not within):
            return []
        source, score, args = self._lexical_match(self._informative(terms), shortlist)
        if within is None:
            where, filter_args = _filter_clause(filters)
        else:
            where = f" AND d.state='ready' AND {self._within_clause(','.join('?' * len(within)))}"
            filter_args = list(within)
        sql = f"SELECT c.chunk_id, c.doc_id, {score} AS score {source}{where}" \
              " ORDER BY score DESC, c.chunk_id LIMIT ?"
        return [(r["chunk_id"], r["doc_id"], float(r["score"]))
                for r in self._run(sql, [*args, *filter_args, k])]

    def admitted_chunks(self, filters: SearchFilters) -> int:
        """How many chunks ``filters`` keep, from the census: no row is read."""
        return self._counts().census.count(filters)

    def term_counts(self, words: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Chunks in all, and the chunks that hold each word: how rare a word is in this
        collection ("booker" names one story, "week" fits most)."""
        counted = self._counts()
        matches = counted.matches
        for word in words:
            if word not in matches:
                matches[word] = self._count_term(word)
        return counted.census.total, {word: matches[word] for word in words}

    def _counts(self) -> _Counted:
        """The census and word counts, made again only after a write by this process or
        another (the generation moves). Counting afresh on every search read the whole
        chunk table in SQLite (5 ms at 10,000 articles) and took PostgreSQL 0.3-1.8 s for a
        question's words at 100,000."""
        generation = self._generation()
        counted = self._counted
        if counted is None or counted.generation != generation:
            counted = self._counted = _Counted(generation, ChunkCensus(self._census_rows()))
        return counted

    def _census_rows(self) -> Iterator[tuple[str | None, int | None, str | None, int]]:
        """Dated chunks by source and day, then undated ones by the day they were ingested."""
        for row in self._run(f"SELECT source, published_day, sum(n_chunks) AS n FROM {self._census_from()}"
                             " WHERE state='ready' AND published_day IS NOT NULL GROUP BY source, published_day"):
            yield row["source"], row["published_day"], None, int(row["n"])
        for row in self._run("SELECT source, substr(ingested_at, 1, 10) AS day, sum(n_chunks) AS n FROM documents"
                             " WHERE state='ready' AND published_day IS NULL GROUP BY source, substr(ingested_at, 1, 10)"):
            yield row["source"], None, row["day"], int(row["n"])

    def _informative(self, terms: list[str]) -> list[str]:
        """In a large index, the ``MAX_QUERY_TERMS`` rarest terms not found in more than half
        of all chunks. BM25 floors a very common term's weight to almost nothing, so leaving
        it out keeps the ranking, yet scoring the thousands of chunks it matches was most
        of a search's time (a news question's "week" or "year"). Past the rarest eight, a
        term adds little weight and many matches: on rtqa-dev's 11,529 chunks the cap cut a
        full-text search from 17.5 to 5.8 ms with the same evidence recall@5 after fusion
        (0.467 against 0.458) and after reranking (0.558 both). A small index keeps every
        term, so that a chunk sharing only such words with the question can still be found.

        The rarest terms are also kept only while their matches add up to at most
        ``max_query_matches`` (the rarest one always). In SQLite scoring costs about 1.3 us
        a match, and at 100,000 articles a question's eight terms matched 100k chunks at
        the median (134 ms, 323 ms p95). There, 50,000 matches kept the article a question
        was taken from in the full-text top 30 for 39 of 40 questions, as with no bound, in
        53 / 66 ms; 20,000 kept it for 37. On the dev benches' indexes no question reaches
        the bound."""
        total, matches = self.term_counts(terms)
        if total < PRUNE_FROM_CHUNKS:
            return terms
        kept = sorted((t for t in terms if matches[t] <= total / 2), key=matches.__getitem__)[:MAX_QUERY_TERMS]
        within = list(accumulate(matches[t] for t in kept))
        return kept[:max(1, bisect_right(within, self.max_query_matches))] if kept else terms

    def chunks_within(self, filters: SearchFilters, limit: int) -> Spans | None:
        """Like ``chunk_spans``, every live chunk that passes ``filters`` when there are at
        most ``limit`` of them, else None: lets a narrow filter be searched exactly instead
        of through the index."""
        if self.admitted_chunks(filters) > limit:
            return None
        where, args = _filter_clause(filters)
        found = dict(self._span_rows(f"{SPANS_FROM} WHERE 1=1{where} LIMIT ?", [*args, limit + 1]))
        return None if len(found) > limit else found

    def stats(self) -> dict[str, object]:
        docs = self._run(
            'SELECT COUNT(*) AS n, MIN(published) AS "first", MAX(published) AS "last"'
            " FROM documents WHERE state='ready'").fetchone()
        chunks = self._run(
            "SELECT COUNT(*) AS n FROM chunks c JOIN documents d ON d.doc_id=c.doc_id"
            " WHERE d.state='ready'").fetchone()
        sources = {r["source"] or "(none)": r["n"] for r in self._run(
            "SELECT source, COUNT(*) AS n FROM documents WHERE state='ready'"
            " GROUP BY source ORDER BY n DESC, source")}
        return {"documents": docs["n"], "chunks": chunks["n"], "first_published": docs["first"],
                "last_published": docs["last"], "sources": sources}


def _document(row: Any) -> DocumentRecord:
    return DocumentRecord(
        doc_id=row["doc_id"], content_hash=row["content_hash"], title=row["title"],
        text=row["text"], url=row["url"], published=row["published"], source=row["source"],
        author=row["author"], origin=row["origin"], n_chunks=row["n_chunks"],
        ingested_at=row["ingested_at"], date_source=row["date_source"],
    )

"""The indexer: articles in, consistent catalog and vectors out, idempotently.

Order of writes for each batch, chosen so that a kill -9 at any point leaves a state the
next run repairs: (1) upsert the new chunk vectors under ids derived from the content hash,
(2) delete the documents' vectors with any other hash, (3) commit catalog rows, chunks and
lexical entries in one transaction. A document is "in the index" only once (3) commits, and
an unchanged document (same hash in the catalog) costs one lookup and no writes.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable, Sequence

from ingest.article import Article, LoadFailure, canonical_url
from ingest.boilerplate import boilerplate_spans, paragraphs, site_key
from ingest.chunking import Chunker
from ingest.cleaning import clean_line, clean_text
from ingest.embedder import Embedder
from ingest.loaders.dates import article_date
from ingest.store.catalog import Catalog
from ingest.store.records import ChunkRecord, DocumentRecord, day_number
from ingest.store.vectors import VectorStore


@dataclass
class IngestReport:
    """What one run did; the CLI prints it and the API returns it."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[LoadFailure] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "failed": [{"origin": f.origin, "reason": f.reason} for f in self.failed],
            "chunks": self.chunks, "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Progress:
    """Work done since the last report. Each embedded (or already stored) chunk adds its
    share of a document, so a document of four chunks is half done after two, and a
    document that needs no embedding (unchanged, or failed) counts whole at once: a bar
    over the documents moves from the first encoder batch, not after the first write."""

    documents: float
    chunks: int


class _ChunkMeter:
    """Turns chunks done into ``Progress`` for one batch of prepared documents."""

    def __init__(self, batch: list[_Prepared], progress: Callable[[Progress], None] | None) -> None:
        self._share = {p.doc.doc_id: 1.0 / len(p.chunks) for p in batch if p.chunks}
        self._progress = progress
        # A page whose every paragraph is its site's chrome has nothing to embed: done at once.
        empty = sum(1 for p in batch if not p.chunks)
        if progress and empty:
            progress(Progress(empty, 0))

    def done(self, doc_ids: Iterable[str]) -> None:
        """One chunk of each of ``doc_ids`` (repeats count again) is embedded or stored."""
        ids = list(doc_ids)
        if self._progress and ids:
            self._progress(Progress(sum(self._share[d] for d in ids), len(ids)))


@dataclass
class _Prepared:
    doc: DocumentRecord
    chunks: list[ChunkRecord]
    embed_texts: list[str]
    is_update: bool
    paragraphs: frozenset[str] = frozenset()


def content_hash(doc_id: str, title: str, text: str, meta: dict[str, str | None]) -> str:
    """Covers text and metadata: a corrected date or title is an update too."""
    payload = json.dumps([doc_id, title, text, sorted(meta.items())], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def chunk_id(doc_id: str, digest: str, index: int) -> str:
    """Deterministic per content version: a retried upsert overwrites, never duplicates."""
    return f"{hashlib.sha256(doc_id.encode()).hexdigest()[:20]}-{digest[:16]}-{index}"


class Indexer:
    """Cleans, chunks, embeds and stores articles in batches of chunks that keep the
    encoder's batches full; one bad article becomes a failure entry, never an abort."""

    def __init__(self, embedder: Embedder, chunker: Chunker, catalog: Catalog,
                 vectors: VectorStore, *, batch_chunks: int = 256, dates_from_urls: bool = False) -> None:
        self._embedder = embedder
        self._chunker = chunker
        self._catalog = catalog
        self._vectors = vectors
        self._batch_chunks = batch_chunks
        self._dates_from_urls = dates_from_urls
        self._vectors_complete = False

    def ingest(self, items: Iterable[Article | LoadFailure],
               progress: Callable[[Progress], None] | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        self.finish_pending_deletes()
        self.complete_kept_vectors()
        pending: dict[str, _Prepared] = {}
        pending_chunks = 0
        for item in items:
            if isinstance(item, LoadFailure):
                report.failed.append(item)
                continue
            prepared = self._prepare(item, report, pending)
            if prepared is None:
                if progress:
                    progress(Progress(1, 0))
                continue
            previous = pending.pop(prepared.doc.doc_id, None)
            if previous is not None:  # a later copy in the same run supersedes it whole
                pending_chunks -= len(previous.chunks)
                if progress:
                    progress(Progress(1, 0))
            pending[prepared.doc.doc_id] = prepared
            pending_chunks += len(prepared.chunks)
            if pending_chunks >= self._batch_chunks:
                self._flush(list(pending.values()), report, progress)
                pending.clear()
                pending_chunks = 0
        if pending:
            self._flush(list(pending.values()), report, progress)
        report.seconds = time.perf_counter() - started
        return report

    def _prepare(self, article: Article, report: IngestReport,
                 pending: dict[str, _Prepared]) -> _Prepared | None:
        origin = article.origin or article.identity()
        text = clean_text(article.text)
        if not text:
            report.failed.append(LoadFailure(origin, "article has no text after cleaning"))
            return None
        doc_id = article.identity()
        title = clean_line(article.title) or text[:80]
        published, date_source = article_date(article.published, article.url, text,
                                              from_urls=self._dates_from_urls)
        meta = {"url": canonical_url(article.url) if article.url else None, "published": published,
                "source": clean_line(article.source), "author": clean_line(article.author)}
        digest = content_hash(doc_id, title, text, meta)
        current = self._catalog.content_hashes([doc_id]).get(doc_id)
        if current == digest:
            report.unchanged.append(doc_id)
            return None
        found = paragraphs(text)
        site = site_key(meta["source"], meta["url"])
        leave_out = boilerplate_spans(
            found, self._catalog.pages_with_paragraphs(site, found.keys, doc_id),
            [p.paragraphs for p in pending.values()
             if p.doc.doc_id != doc_id and site_key(p.doc.source, p.doc.url) == site]) if site else []
        pieces = self._chunker.split(title, text, leave_out)
        doc = DocumentRecord(
            doc_id=doc_id, content_hash=digest, title=title, text=text, url=meta["url"],
            published=meta["published"], source=meta["source"], author=meta["author"],
            origin=origin, n_chunks=len(pieces), date_source=date_source,
            ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
        chunks = [ChunkRecord(chunk_id(doc_id, digest, p.index), doc_id, p.index, p.start, p.end,
                              p.text) for p in pieces]
        return _Prepared(doc, chunks, [p.embed_text for p in pieces], current is not None, found.keys)

    def _flush(self, batch: list[_Prepared], report: IngestReport,
               progress: Callable[[Progress], None] | None) -> None:
        ids = [c.chunk_id for p in batch for c in p.chunks]
        stored = self._vectors.existing(ids)
        meter = _ChunkMeter(batch, progress)
        meter.done(c.doc_id for p in batch for c in p.chunks if c.chunk_id in stored)
        todo = [(c, text_hash(t), t, p.doc) for p in batch for c, t in zip(p.chunks, p.embed_texts)
                if c.chunk_id not in stored]
        by_chunk: dict[str, Sequence[float]] = dict(self._vectors.vectors_of(stored)) if stored else {}
        if todo:
            texts = {h: t for _, h, t, _ in todo}
            vectors = self._reusable_vectors(batch, set(texts))
            meter.done(c.doc_id for c, h, _, _ in todo if h in vectors)
            users: dict[str, list[str]] = {}  # each text to embed -> the documents it serves
            for c, h, _, _ in todo:
                if h not in vectors:
                    users.setdefault(h, []).append(c.doc_id)
            missing = list(users)
            if missing:
                vectors.update(zip(missing, self._embedder.embed_documents(
                    [texts[h] for h in missing],
                    on_batch=lambda part: meter.done(d for i in part for d in users[missing[i]]))))
            self._vectors.upsert([c.chunk_id for c, _, _, _ in todo], [vectors[h] for _, h, _, _ in todo],
                                 [_vector_metadata(doc, c, h) for c, h, _, doc in todo])
            by_chunk.update((c.chunk_id, vectors[h]) for c, h, _, _ in todo)
        self._vectors.delete_stale([p.doc.doc_id for p in batch],
                                   [p.doc.content_hash for p in batch])
        with self._catalog.transaction() as conn:
            for p in batch:
                self._catalog.put(conn, p.doc, p.chunks, p.paragraphs, by_chunk, self._vectors.encoder)
        for p in batch:
            (report.updated if p.is_update else report.added).append(p.doc.doc_id)
            report.chunks += len(p.chunks)

    def _reusable_vectors(self, batch: list[_Prepared], hashes: set[str]) -> dict[str, list[float]]:
        """Vectors of unchanged chunks of updated documents: a corrected sentence re-embeds
        the chunks it touches, not the whole article."""
        updated = [p.doc.doc_id for p in batch if p.is_update]
        if not updated:
            return {}
        return self._vectors.embeddings_by_text(updated, sorted(hashes))

    def delete(self, doc_id: str) -> bool:
        """Remove a document from the catalog, the lexical index and the vectors."""
        if not self._catalog.mark_deleting(doc_id):
            return False
        self._vectors.delete_documents([doc_id])
        self._catalog.finish_delete(doc_id)
        return True

    def complete_kept_vectors(self, batch: int = 2_000) -> int:
        """Copies into the catalog the vectors of chunks an older release wrote, which kept
        them in Chroma only: unchanged articles are never written again, so the first
        ingest of each process completes the copy instead (26 s for 397k chunks at 100k
        articles, once; finding that none is missing takes 0.8-2.2 s there, which is why
        later ingests of the process do not look again). Returns how many were copied."""
        if self._vectors_complete:
            return 0
        copied, after = 0, ""
        while ids := self._catalog.chunks_without_vectors(self._vectors.encoder, after, batch):
            copied += self._catalog.keep_vectors(self._vectors.vectors_of(ids), self._vectors.encoder)
            after = ids[-1]
        self._vectors_complete = True
        return copied

    def finish_pending_deletes(self) -> None:
        """Complete deletes that a crash interrupted between their two steps."""
        for doc_id in self._catalog.pending_deletes():
            self._vectors.delete_documents([doc_id])
            self._catalog.finish_delete(doc_id)


def text_hash(embed_text: str) -> str:
    """Identifies what was embedded, so an identical text never needs encoding twice."""
    return hashlib.sha256(embed_text.encode()).hexdigest()[:32]


def _vector_metadata(doc: DocumentRecord, chunk: ChunkRecord, embedded: str) -> dict[str, object]:
    meta: dict[str, object] = {
        "doc_id": doc.doc_id, "content_hash": doc.content_hash, "text_hash": embedded,
        "title": doc.title,
        "chunk_index": chunk.index, "start": chunk.start, "end": chunk.end,
    }
    optional = {"url": doc.url, "source": doc.source, "author": doc.author,
                "published": doc.published, "published_day": day_number(doc.published)}
    meta.update({k: v for k, v in optional.items() if v is not None})
    return meta

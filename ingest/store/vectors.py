"""Chunk vectors in Chroma, embedded (local files) or client/server (``chroma run``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Sequence

import chromadb
import chromadb.errors
import numpy as np

from ingest.embedder import encoder_identity
from ingest.store.records import SearchFilters, day_number


@dataclass(frozen=True)
class VectorHit:
    """Only the id and the score: a chunk id names its content version, so whether the hit
    is still live is the catalog's to say, and fetching metadata from Chroma would cost
    more than the nearest-neighbour search itself (3.8 of 5.8 ms for 30 hits)."""

    chunk_id: str
    score: float


def chroma_where(filters: SearchFilters, undated: Sequence[str] = ()) -> dict[str, Any] | None:
    """Filters as a Chroma ``where`` clause, so they apply before the nearest-neighbour cut.
    ``undated`` names the documents without a date that bounds admitting them let through
    (a chunk without ``published_day`` matches no comparison)."""
    clauses: list[dict[str, Any]] = []
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    bounds = [{"published_day": {op: day_number(day)}}
              for op, day in (("$gte", filters.date_from), ("$lte", filters.date_to)) if day]
    dated = _all(bounds)
    if dated and filters.undated_until and undated:
        clauses.append({"$or": [dated, {"doc_id": {"$in": list(undated)}}]})
    elif dated:
        clauses.append(dated)
    return _all(clauses)


def _all(clauses: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def embedded_client(path: Path) -> Any:
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chromadb.Settings(anonymized_telemetry=False))


def server_client(host: str, port: int) -> Any:
    return chromadb.HttpClient(host=host, port=port, settings=chromadb.Settings(anonymized_telemetry=False))


def drop_collection(client: Any, name: str) -> None:
    """Every vector of a Chroma collection goes, with the collection; nothing if it is gone."""
    try:
        client.delete_collection(name)
    except chromadb.errors.NotFoundError:
        pass


# Collections made before the encoder was recorded hold full-precision MiniLM vectors.
UNRECORDED_ENCODER = encoder_identity("fp32")


class EncoderMismatchError(RuntimeError):
    """The collection was built by another encoder than the one configured."""


class VectorStore:
    """Thin wrapper that keeps Chroma's API and errors out of the rest of the code.

    A collection records the encoder that filled it and refuses to open under another one:
    a question embedded by one encoder and compared with chunks embedded by another ranks
    passages by noise, silently."""

    def __init__(self, client: Any, collection: str, encoder: str, *, create: bool = True) -> None:
        """``create`` False opens only a collection that exists, so a request still running
        when its collection is deleted fails instead of making it again, half empty."""
        self._client = client
        self._name = collection
        self.encoder = encoder
        if create:
            self._collection = client.get_or_create_collection(
                collection, metadata={"hnsw:space": "cosine", "encoder": encoder})
        else:
            self._collection = client.get_collection(collection)
        built_with = (self._collection.metadata or {}).get("encoder", UNRECORDED_ENCODER)
        if built_with != encoder:
            raise EncoderMismatchError(
                f"collection {collection!r} was built with the encoder {built_with}, not the "
                f"configured {encoder}: set NEWSQA_ENCODER_PRECISION={built_with.rsplit('/', 1)[-1]}, "
                f"or index into a new collection (NEWSQA_COLLECTION) or data dir")

    @classmethod
    def embedded(cls, path: Path, collection: str, encoder: str) -> "VectorStore":
        return cls(embedded_client(path), collection, encoder)

    @classmethod
    def server(cls, host: str, port: int, collection: str, encoder: str) -> "VectorStore":
        return cls(server_client(host, port), collection, encoder)

    def upsert(self, ids: Sequence[str], embeddings: Sequence[Sequence[float]],
               metadatas: Sequence[dict[str, Any]]) -> None:
        max_batch = self._client.get_max_batch_size()
        for i in range(0, len(ids), max_batch):
            self._collection.upsert(ids=list(ids[i:i + max_batch]),
                                    embeddings=[list(e) for e in embeddings[i:i + max_batch]],
                                    metadatas=list(metadatas[i:i + max_batch]))

    def delete_stale(self, doc_ids: Sequence[str], keep_hashes: Sequence[str]) -> None:
        """Remove every chunk of ``doc_ids`` whose content hash is not a current one: old
        versions after an update, and leftovers of a run that was killed."""
        if not doc_ids:
            return
        where: dict[str, Any] = {"doc_id": {"$in": list(doc_ids)}}
        if keep_hashes:
            where = {"$and": [where, {"content_hash": {"$nin": list(keep_hashes)}}]}
        self._collection.delete(where=where)

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        self.delete_stale(doc_ids, ())

    def search(self, embedding: Sequence[float], k: int, filters: SearchFilters,
               undated: Sequence[str] = ()) -> list[VectorHit]:
        result = self._collection.query(
            query_embeddings=[list(embedding)], n_results=k, where=chroma_where(filters, undated),
            include=["distances"],
        )
        return [VectorHit(chunk_id, 1.0 - float(distance))
                for chunk_id, distance in zip(result["ids"][0], result["distances"][0])]

    def vectors_of(self, chunk_ids: Collection[str]) -> dict[str, np.ndarray]:
        """Stored vectors of those of ``chunk_ids`` that exist, one float32 row each."""
        if not chunk_ids:
            return {}
        got = self._collection.get(ids=list(chunk_ids), include=["embeddings"])
        if not got["ids"]:
            return {}
        return dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are stored: lets a re-run after a crash skip re-embedding."""
        if not ids:
            return set()
        return set(self._collection.get(ids=list(ids), include=[])["ids"])

    def embeddings_by_text(self, doc_ids: Sequence[str] | None, text_hashes: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors of these documents (None: of any) keyed by the hash of the text
        they embed."""
        if (doc_ids is not None and not doc_ids) or not text_hashes:
            return {}
        texts: dict[str, Any] = {"text_hash": {"$in": list(text_hashes)}}
        where = texts if doc_ids is None else {"$and": [{"doc_id": {"$in": list(doc_ids)}}, texts]}
        got = self._collection.get(where=where, include=["embeddings", "metadatas"])
        return {str(m["text_hash"]): list(e) for m, e in zip(got["metadatas"], got["embeddings"])}

    def count(self) -> int:
        return self._collection.count()

    def read_probe(self) -> None:
        """The last vector Chroma lists (its newest write) read back and searched for. A
        heartbeat answers, and so do searches, while reading the vectors another process
        wrote into embedded files fails ("Error finding id"): a readiness probe must fail
        then, and only a real read of recent data does."""
        count = self._collection.count()
        if count:
            got = self._collection.get(offset=count - 1, limit=1, include=["embeddings"])
            self._collection.query(query_embeddings=[list(got["embeddings"][0])], n_results=1,
                                   include=["distances"])

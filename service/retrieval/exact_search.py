"""Exact nearest-neighbour search among a few chunks, with their vectors kept in memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Iterable, Sequence

import numpy as np

from ingest.store.catalog import Catalog
from ingest.store.records import Spans
from ingest.store.vectors import VectorHit, VectorStore

_Version = tuple[str, int, int]


class ExactSearch:
    """Scores every chunk of a narrow filter against the question.

    Reading 80 stored vectors from Chroma for each question cost 6-8 ms, mostly turning
    floats into Python objects while holding the GIL, and capped 16 concurrent clients on 2
    cores at 55-60 searches a second; held in memory, 81 a second. A vector is cached under
    its chunk id and span: the id names the article's content version and the span its
    place in it, so a re-chunked or updated article can never be scored with an old
    vector, and which chunks are live stays the catalog's to say (``spans``). The least
    recently used vectors leave once ``capacity`` are held (about 1.6 kB each). Those it
    does not hold come from the catalog, which keeps each chunk's vector beside its row,
    and from Chroma only for chunks written before it did: a month of a 100k archive is
    about 4,500 chunks, 220 ms to read from Chroma and 25 ms from the catalog.
    """

    def __init__(self, vectors: VectorStore, catalog: Catalog, capacity: int) -> None:
        self._vectors = vectors
        self._catalog = catalog
        self._capacity = capacity
        self._held: OrderedDict[_Version, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def rank(self, embedding: Sequence[float], spans: Spans) -> list[VectorHit]:
        """Every chunk of ``spans`` that has a stored vector, nearest first."""
        versions = {chunk: (chunk, start, end) for chunk, (_, start, end) in spans.items()}
        found = self._recall(versions.values())
        missing = [chunk for chunk, version in versions.items() if version not in found]
        fetched = self._catalog.vectors_of(missing, self._vectors.encoder) if missing else {}
        unkept = [chunk for chunk in missing if chunk not in fetched]
        if unkept:
            fetched.update(self._vectors.vectors_of(unkept))
        fresh = {versions[chunk]: vector for chunk, vector in fetched.items()}
        found.update(fresh)
        self._keep(fresh)
        if not found:
            return []
        ids = [version[0] for version in found]
        cosines = np.stack(list(found.values())) @ np.asarray(embedding, dtype=np.float32)
        return [VectorHit(ids[i], float(cosines[i])) for i in np.argsort(-cosines, kind="stable")]

    def _recall(self, versions: Iterable[_Version]) -> dict[_Version, np.ndarray]:
        found: dict[_Version, np.ndarray] = {}
        with self._lock:
            for version in versions:
                vector = self._held.get(version)
                if vector is not None:
                    self._held.move_to_end(version)
                    found[version] = vector
        return found

    def _keep(self, fetched: dict[_Version, np.ndarray]) -> None:
        if not fetched or self._capacity == 0:
            return
        with self._lock:
            self._held.update(fetched)
            while len(self._held) > self._capacity:
                self._held.popitem(last=False)

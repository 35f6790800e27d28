"""The one place where settings become components. Everything is built lazily by plain
constructors, so a CLI listing never loads a model and tests can replace any part by
assigning the attribute before first use."""

from __future__ import annotations

from functools import cached_property

from ingest.chunking import Chunker
from ingest.embedder import Embedder, packaged_model_path
from ingest.pipeline import Indexer
from ingest.sources import SourceReader
from ingest.store.catalog import Catalog
from ingest.store.vectors import VectorStore
from service.settings import Settings


class Components:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.settings.catalog_path)

    @cached_property
    def vectors(self) -> VectorStore:
        s = self.settings
        if s.chroma_mode == "server":
            return VectorStore.server(s.chroma_host, s.chroma_port, s.collection)
        return VectorStore.embedded(s.chroma_path, s.collection)

    @cached_property
    def embedder(self) -> Embedder:
        s = self.settings
        return Embedder(packaged_model_path(), batch_size=s.embed_batch_size,
                        threads=s.torch_threads or None)

    @cached_property
    def chunker(self) -> Chunker:
        s = self.settings
        return Chunker(self.embedder.count_tokens, max_tokens=self.embedder.max_tokens,
                       target_tokens=min(s.chunk_target_tokens, self.embedder.max_tokens),
                       overlap_tokens=s.chunk_overlap_tokens)

    @cached_property
    def indexer(self) -> Indexer:
        return Indexer(self.embedder, self.chunker, self.catalog, self.vectors,
                       batch_chunks=self.settings.ingest_batch_chunks)

    @cached_property
    def sources(self) -> SourceReader:
        s = self.settings
        return SourceReader(max_file_bytes=int(s.max_file_mb * 1024 * 1024),
                            fetch_timeout_s=s.fetch_timeout_s,
                            fetch_max_bytes=int(s.fetch_max_mb * 1024 * 1024),
                            json_fields=s.json_fields)

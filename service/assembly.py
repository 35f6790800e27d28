"""The one place where settings become components. Everything is built lazily by plain
constructors, so a CLI listing never loads a model and tests can replace any part by
assigning the attribute before first use.

``Components`` holds what every collection shares (models, keys, limits, metrics, the
main catalog); a ``Corpus`` holds one collection's stores and the parts that read and write
them, built the first time a request names it (see ``service.corpora``)."""

from __future__ import annotations

import os
import socket
import uuid
from functools import cached_property

from ingest.chunking import Chunker
from ingest.embedder import Embedder, encoder_identity, packaged_model_path
from ingest.feeds.entries import EntryCompleter
from ingest.feeds.fetcher import FeedFetcher
from ingest.loaders.url import load_url
from ingest.pipeline import Indexer
from ingest.sources import USER_AGENT, SourceReader
from ingest.store.catalog import Catalog
from ingest.store.collection_registry import DEFAULT_COLLECTION, CollectionRegistry, CollectionRow
from ingest.store.feed_leases import FeedLeases
from ingest.store.feeds import FeedStore
from ingest.store.postgres_catalog import PostgresCatalog
from ingest.store.sqlite_catalog import SqliteCatalog
from ingest.store.vectors import VectorStore, embedded_client, server_client
from service.answering.citations import CitationChecker
from service.answering.condense import QuestionCondenser
from service.answering.generators import ChatGenerator, ExtractiveGenerator, Generator
from service.answering.prompts import PromptLibrary
from service.answering.reading_budget import BudgetBounds, ReadingBudget
from service.answering.refusal import RefusalPolicy
from service.answering.scope import ScopeCheck
from service.answering.subject import SubjectCheck
from service.answering.sentences import SentenceRanker
from service.collection_stores import CollectionStores
from service.corpora import Corpora
from service.data_dir_claim import Claim
from service.feeds.poller import FeedPoller
from service.feeds.registry import FeedRegistry
from service.feeds.scheduler import FeedScheduler
from service.llm.chat_models import LLMHandle, build_chat_model
from service.llm.queue import LLMQueue, QueuedGenerator
from service.observability.metrics import Metrics
from service.reader_text import ReaderFacingAskService
from service.retrieval.age_prior import AgePrior
from service.retrieval.reranker import CrossEncoderReranker, packaged_reranker_path
from service.retrieval.retriever import Retriever
from service.retrieval.turns import Turns
from service.security.api_keys import KeyStore
from service.security.rate_limit import RateLimiter
from service.settings import Settings


# Prompt word pieces a second assumed until the model's own speed is measured: what the
# 1.5B model read on the slower 2-core machines (13-35), so that the first prompt is short.
PRIOR_READING_TOKENS_PER_S = 20.0


class Components:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir_claim: Claim | None = None  # a serving process's, released by close()

    @cached_property
    def catalog(self) -> Catalog:
        url = self.settings.catalog_url
        if url is not None:
            return PostgresCatalog(url.get_secret_value())
        return SqliteCatalog(self.settings.catalog_path)

    @cached_property
    def chroma(self) -> object:
        """One Chroma client for every collection's vectors."""
        s = self.settings
        if s.chroma_mode == "server":
            return server_client(s.chroma_host, s.chroma_port)
        return embedded_client(s.chroma_path)

    @cached_property
    def corpora(self) -> Corpora[Corpus]:
        s = self.settings
        stores = CollectionStores(
            self.catalog, self.chroma, chroma_base=s.collection,
            encoder=encoder_identity(s.encoder_precision), data_dir=s.data_dir,
            catalog_url=s.catalog_url.get_secret_value() if s.catalog_url is not None else None)
        return Corpora(CollectionRegistry(self.catalog), stores,
                       lambda row, catalog, vectors: Corpus(self, row, catalog, vectors),
                       on_delete=self.feed_store.remove_collection, serving=s.default_collection)

    def corpus(self, name: str | None = None) -> Corpus:
        """A collection's parts; without a name, the one this process serves by default
        (``NEWSQA_DEFAULT_COLLECTION``, or a command's ``--collection``)."""
        return self.corpora.open(name or self.settings.default_collection)

    @cached_property
    def embedder(self) -> Embedder:
        s = self.settings
        return Embedder(packaged_model_path(), s.model_files_dir, batch_size=s.embed_batch_size,
                        threads=s.encoder_threads, query_threads=s.query_threads,
                        precision=s.encoder_precision)

    @cached_property
    def chunker(self) -> Chunker:
        s = self.settings
        return Chunker(self.embedder.count_tokens, max_tokens=self.embedder.max_tokens,
                       target_tokens=min(s.chunk_target_tokens, self.embedder.max_tokens),
                       overlap_tokens=s.chunk_overlap_tokens)

    def build_indexer(self, catalog: Catalog, vectors: VectorStore) -> Indexer:
        return Indexer(self.embedder, self.chunker, catalog, vectors,
                       batch_chunks=self.settings.ingest_batch_chunks,
                       dates_from_urls=self.settings.dates_from_urls)

    @cached_property
    def sources(self) -> SourceReader:
        s = self.settings
        return SourceReader(max_file_bytes=int(s.max_file_mb * 1024 * 1024),
                            fetch_timeout_s=s.fetch_timeout_s,
                            fetch_max_bytes=int(s.fetch_max_mb * 1024 * 1024),
                            json_fields=s.json_fields)

    @cached_property
    def feed_store(self) -> FeedStore:
        return FeedStore(self.catalog)

    @cached_property
    def feed_registry(self) -> FeedRegistry:
        s = self.settings
        return FeedRegistry(self.feed_store, default_every_s=max(s.feed_interval_s, s.feed_min_interval_s),
                            least_every_s=s.feed_min_interval_s)

    @cached_property
    def feed_scheduler(self) -> FeedScheduler:
        """The feed poller of this process, under a lease owner name of its own."""
        s = self.settings
        max_bytes = int(s.feed_max_mb * 1024 * 1024)
        fetcher = FeedFetcher(timeout_s=s.feed_timeout_s, max_bytes=max_bytes, user_agent=USER_AGENT)
        completer = EntryCompleter(lambda url: load_url(
            url, timeout_s=s.feed_timeout_s, max_bytes=int(s.fetch_max_mb * 1024 * 1024), user_agent=USER_AGENT))
        poller = FeedPoller(fetcher, completer, lambda name: self.corpus(name).indexer,
                            self.feed_store, self.metrics, backoff_max_s=s.feed_backoff_max_s)
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        return FeedScheduler(self.feed_store, FeedLeases(self.catalog, owner), poller,
                             lease_s=s.feed_lease_s, tick_s=s.feed_tick_s)

    @cached_property
    def reranker(self) -> CrossEncoderReranker | None:
        s = self.settings
        if not s.rerank:
            return None
        return CrossEncoderReranker(packaged_reranker_path(), lanes=s.encoder_threads,
                                    max_tokens=s.rerank_max_tokens)

    def build_retriever(self, catalog: Catalog, vectors: VectorStore) -> Retriever:
        """A collection's own: its exact-search vector cache holds that collection's
        vectors only."""
        s = self.settings
        return Retriever(self.embedder, vectors, catalog, self.reranker,
                         mode=s.retrieval_mode, candidates=s.retrieval_candidates,
                         rerank_candidates=s.rerank_candidates,
                         newer_first_margin=s.newer_first_margin,
                         recent_lane_days=s.recent_lane_days, turns=self.turns,
                         age_prior=AgePrior(weight=s.age_prior_weight, days=s.age_prior_days),
                         cached_vectors=s.cached_vectors, exact_chunks=s.exact_search_chunks,
                         undated=s.as_of_undated)

    @cached_property
    def turns(self) -> Turns:
        """Taken by every CPU-bound step of a request (search, sentence ranking), so that
        the cores work on a few requests at a time, in arrival order."""
        return Turns.per_core(self.settings.search_concurrency)

    @cached_property
    def prompts(self) -> PromptLibrary:
        return PromptLibrary(self.settings.prompts_dir)

    @cached_property
    def llm(self) -> LLMHandle:
        s = self.settings
        return build_chat_model(
            s.llm_backend, local_model=s.local_model, models_dir=s.model_files_dir,
            n_ctx=s.llm_context, n_parallel=s.llm_parallel, threads=s.llm_threads or None,
            base_url=s.openai_base_url, api_key=s.openai_api_key, model=s.openai_model,
            max_tokens=s.llm_max_tokens, timeout_s=s.llm_timeout_s)

    @cached_property
    def chat_generator(self) -> ChatGenerator | None:
        """The model's generator before the queue; None for the extractive backend."""
        chat_model = self.llm.chat_model
        if chat_model is None:
            return None
        s = self.settings
        budget = ReadingBudget(target_s=s.llm_first_token_target_s,
                               prior_tokens_per_s=PRIOR_READING_TOKENS_PER_S,
                               fixed_tokens=s.llm_evidence_tokens,
                               bounds=BudgetBounds(floor=s.llm_evidence_min_tokens,
                                                   ceiling=s.llm_evidence_max_tokens))
        return ChatGenerator(chat_model, self.prompts, self.sentence_ranker,
                             self.embedder.count_tokens, budget=budget,
                             min_logit=s.llm_min_passage_logit)

    @cached_property
    def sentence_ranker(self) -> SentenceRanker:
        return SentenceRanker(self.embedder, turns=self.turns)

    @cached_property
    def generator(self) -> Generator:
        chat = self.chat_generator
        if chat is None:
            return ExtractiveGenerator(self.sentence_ranker)
        return QueuedGenerator(chat, self.llm_queue)

    @cached_property
    def llm_queue(self) -> LLMQueue:
        s = self.settings
        queue = LLMQueue(running=s.llm_parallel, queued=s.llm_queue_size, wait_s=s.llm_timeout_s)
        self.metrics.track_llm_queue(lambda: queue.waiting, lambda: queue.running)
        return queue

    def build_ask_service(self, retriever: Retriever, catalog: Catalog, collection: str) -> ReaderFacingAskService:
        s = self.settings
        chat_model = self.llm.chat_model
        # A follow-up's rewrite waits for the model in the same queue as the answers.
        condenser = QuestionCondenser(chat_model, self.prompts,
                                      queue=self.llm_queue if chat_model is not None else None)
        return ReaderFacingAskService(
            retriever, self.generator, condenser,
            CitationChecker(min_support=s.min_citation_support,
                            min_restated_support=s.min_citation_restated_support),
            ScopeCheck(),
            SubjectCheck(catalog, min_share=s.min_subject_share),
            RefusalPolicy(min_rerank_logit=s.min_rerank_logit,
                          min_dense_similarity=s.min_dense_similarity),
            self.prompts, metrics=self.metrics, collection=collection)

    @cached_property
    def metrics(self) -> Metrics:
        return Metrics()

    @cached_property
    def key_store(self) -> KeyStore:
        s = self.settings
        return KeyStore.load(s.api_keys.get_secret_value(), s.api_keys_file)

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        return RateLimiter(self.settings.rate_limit_per_minute, self.settings.rate_limit_burst)

    def warm_up(self) -> None:
        """Loads every model now, so the first request does not pay for it."""
        self.embedder.embed_query("warm up")
        if self.reranker is not None:
            self.reranker.score("warm up", ["warm up"])
        _ = self.corpus().ask_service
        if self.chat_generator is not None:
            self.chat_generator.calibrate()

    def models_loaded(self) -> bool:
        return all(name in self.__dict__ for name in ("embedder", "generator"))

    def close(self) -> None:
        """Stops what owns a thread, a process, a port, a connection or a lock (feed
        poller, LLM server, catalog, data dir claim)."""
        if "feed_scheduler" in self.__dict__:
            self.feed_scheduler.stop()
        if "llm" in self.__dict__:
            self.llm.close()
        if "corpora" in self.__dict__:
            self.corpora.close()
        if "catalog" in self.__dict__:
            self.catalog.close()
        if self.data_dir_claim is not None:
            self.data_dir_claim.release()


class Corpus:
    """One collection: its catalog and vectors, and the indexer, retriever and ask service
    over them, made from the shared models on first use. Nothing here reads any other
    collection's stores, so every cache below them is the collection's own."""

    def __init__(self, parts: Components, row: CollectionRow, catalog: Catalog, vectors: VectorStore) -> None:
        self._parts = parts
        self.name = row.name
        self.generation = row.generation
        self.catalog = catalog
        self.vectors = vectors

    @cached_property
    def indexer(self) -> Indexer:
        return self._parts.build_indexer(self.catalog, self.vectors)

    @cached_property
    def retriever(self) -> Retriever:
        return self._parts.build_retriever(self.catalog, self.vectors)

    @cached_property
    def ask_service(self) -> ReaderFacingAskService:
        return self._parts.build_ask_service(self.retriever, self.catalog, self.name)

    def close(self) -> None:
        """The main catalog, which the default collection uses, is the data dir's to close."""
        if self.name != DEFAULT_COLLECTION:
            self.catalog.close()

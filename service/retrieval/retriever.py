"""Hybrid retrieval: dense (Chroma) and lexical (the catalog's full-text index) candidates,
fused by reciprocal rank, optionally reranked by a cross-encoder, optionally nudged towards
recent articles. Filters and ``as_of`` are pushed into both stores' queries."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from ingest.embedder import Embedder
from ingest.store.catalog import Catalog
from ingest.store.records import DocumentRecord, SearchFilters, Spans
from ingest.store.vectors import VectorHit, VectorStore
from service.retrieval.age_prior import AgePrior
from service.retrieval.exact_search import ExactSearch
from service.retrieval.fusion import reciprocal_rank_fusion
from service.retrieval.passages import Passage
from service.retrieval.reranker import CrossEncoderReranker
from service.retrieval.time_window import recent_window
from service.retrieval.turns import Turns
from service.retrieval.updates import update_first

Mode = Literal["dense", "hybrid"]

# A filter is first tried on the unfiltered index's nearest chunks, keeping the hits it
# admits: as many as hold this many times the candidates at the share of the index the
# filter keeps (the catalog's census tells it). A date bound that
# keeps most of the archive costs an index search (1.1 ms on 10k chunks) instead of
# Chroma's filtered one (39 ms, and 87 ms once four other collections share the embedded
# files, since its metadata filter reads them all; 700 ms at 100k articles), and less than
# an exact search among thousands of chunks (about 10 us each, and 6 us each to read a
# vector the cache does not hold from the catalog). Only when fewer than the candidates pass does the exact
# search or, past its budget, Chroma's filtered one decide.
POST_FILTER_PROBE = 4
# The most nearest chunks a probe reads: at 100k articles (397k chunks), 2,000 took 17 ms
# and their filter 34 ms, 5,000 took 43 and 83 ms; a filter keeping under 6% of the index
# goes to the exact search or Chroma instead.
MAX_POST_FILTER_PROBE = 2_000
# The recent lane adds up to a third as many rerank candidates again (at least one).
RECENT_SHARE = 3


@dataclass(frozen=True)
class RetrievalOptions:
    top_k: int = 5
    filters: SearchFilters = SearchFilters()
    as_of: str | None = None
    prefer_recent: bool = False
    rerank: bool = True


@dataclass
class RetrievalResult:
    query: str
    passages: list[Passage]
    timings_ms: dict[str, float] = field(default_factory=dict)


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round((now - self._last) * 1000, 2)
        self._last = now

    def restart(self) -> None:
        """Leave out the time since the last lap (waiting for work timed elsewhere)."""
        self._last = time.perf_counter()


UndatedPolicy = Literal["exclude", "ingested", "include"]
# ``include`` admits undated articles whenever they were ingested: by the last ISO day.
ANY_DAY = date.max.isoformat()


def effective_filters(options: RetrievalOptions, *, undated: UndatedPolicy = "exclude") -> SearchFilters:
    """``as_of`` is an upper date bound: nothing published after it may be used. An article
    without a date passes it by policy: never (``exclude``), when it was ingested by the
    ``as_of`` day and so cannot have been published later (``ingested``), or always
    (``include``). Explicit dates and relative windows ("this week") ask for dated
    articles, so under them it never passes."""
    if not options.as_of:
        return options.filters
    filters = options.filters
    date_to = filters.date_to
    until = {"exclude": None, "ingested": options.as_of[:10], "include": ANY_DAY}[undated]
    return replace(filters, date_to=min(date_to, options.as_of) if date_to else options.as_of,
                   undated_until=None if filters.date_from or filters.date_to else until)


class Retriever:
    def __init__(self, embedder: Embedder, vectors: VectorStore, catalog: Catalog,
                 reranker: CrossEncoderReranker | None, *, mode: Mode = "hybrid",
                 candidates: int = 30, rerank_candidates: int = 15,
                 recency_half_life_days: float = 30.0, recency_weight: float = 0.3,
                 newer_first_margin: float = 2.5, recent_lane_days: int = 3,
                 turns: Turns | None = None, age_prior: AgePrior = AgePrior(weight=0.0),
                 cached_vectors: int = 50_000, exact_chunks: int = 5_000,
                 undated: UndatedPolicy = "exclude") -> None:
        self._embedder = embedder
        self._vectors = vectors
        self._catalog = catalog
        self._exact = ExactSearch(vectors, catalog, cached_vectors)
        self._exact_chunks = exact_chunks
        self._reranker = reranker
        self.mode = mode
        self._candidates = candidates
        self._rerank_candidates = rerank_candidates
        self._half_life = recency_half_life_days
        self._recency_weight = recency_weight
        self._newer_first_margin = newer_first_margin
        self._recent_days = recent_lane_days
        self._age_prior = age_prior
        self._undated = undated
        # Lexical search needs no embedding, so it runs while the question is embedded and
        # the vectors searched; both stores release the GIL while they work.
        self._lexical_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lexical")
        # Searches beyond the ``turns`` (default: one per core) wait, in arrival order,
        # instead of sharing the cores: under 16 clients on 2 cores, 40 searches at
        # once served 49 a second with p95 588 ms, 2 at once 57 a second with p95 366 ms,
        # and 2 at once in arrival order 81 a second with p95 231 ms (325 ms without the
        # order, at the same rate).
        self._turns = turns or Turns.per_core()

    def filters(self, options: RetrievalOptions) -> SearchFilters:
        """What the stores are asked for under ``options``, this retriever's policy for
        undated articles included."""
        return effective_filters(options, undated=self._undated)

    def search(self, query: str, options: RetrievalOptions) -> RetrievalResult:
        with self._turns:
            return self._search(query, options)

    def _search(self, query: str, options: RetrievalOptions) -> RetrievalResult:
        clock = _Clock()
        filters = self.filters(options)
        rerank = options.rerank and self._reranker is not None
        # The last days before a date bound get rerank candidates of their own, beyond the
        # usual ones, so that years of archive cannot crowd this week's reports out of the
        # rerank; the cross-encoder, not the date, then decides their order.
        recent = recent_window(filters, self._recent_days) if rerank else None
        lanes = [filters, recent] if recent else [filters]
        within = [self._catalog.chunks_within(f, self._exact_chunks) if f != SearchFilters() else None
                  for f in lanes]
        lexical = ([self._lexical_pool.submit(self._timed_lexical, query, f, w) for f, w in zip(lanes, within)]
                   if self.mode == "hybrid" else [])
        query_vector = self._embedder.embed_query(query)
        clock.lap("embed")
        rankings: list[list[list[str]]] = [[] for _ in lanes]
        spans: Spans = {}
        # An exact search scored every chunk within its filter, lexical matches included.
        dense_scores: dict[str, float] = {}
        exact_hits: list[VectorHit] | None = None
        for lane, lane_within, ranked in zip(lanes, within, rankings):
            if exact_hits is not None and lane_within is not None:
                # The first lane was searched exactly: the recent window's chunks are among
                # its hits, already scored and in order.
                hits, live = [h for h in exact_hits if h.chunk_id in lane_within], lane_within
            else:
                hits, live, exact = self._dense(query_vector, lane, lane_within)
                exact_hits = hits if exact else None
            dense_scores.update((h.chunk_id, h.score) for h in hits)
            hits = hits[:self._candidates]
            spans.update(live)
            ranked.append([h.chunk_id for h in hits if h.chunk_id in live])
        clock.lap("dense")
        lexical_scores: dict[str, float] = {}
        if lexical:
            # The lanes' full-text searches ran side by side: the slowest one is the wait.
            clock.timings["lexical"] = 0.0
            for future, ranked in zip(lexical, rankings):
                hits, took = future.result()
                clock.timings["lexical"] = max(clock.timings["lexical"], took)
                ranked.append([chunk for chunk, _, _ in hits])
                lexical_scores.update((chunk, score) for chunk, _, score in hits)
            clock.restart()
        keep = self._rerank_candidates if rerank else options.top_k
        fused = reciprocal_rank_fusion(rankings[0])
        ordered = sorted(fused, key=lambda c: -fused[c])[:max(keep, options.top_k)]
        if recent:
            in_lane = reciprocal_rank_fusion(rankings[1])
            chosen = set(ordered)
            extra = [c for c in sorted(in_lane, key=lambda c: -in_lane[c]) if c not in chosen]
            extra = extra[:max(1, keep // RECENT_SHARE)]
            fused.update((c, in_lane[c]) for c in extra if c not in fused)
            ordered += extra
        passages = self._passages(ordered, spans, fused, dense_scores, lexical_scores, query_vector)
        clock.lap("fuse")
        if rerank and passages:
            self._rerank(query, passages)
            clock.lap("rerank")
        if options.prefer_recent:
            self._prefer_recent(passages, options.as_of)
        elif rerank and self._age_prior.applies(query):
            self._age_prior.apply(passages, date.fromisoformat(options.as_of[:10]) if options.as_of else date.today())
        passages.sort(key=lambda p: -p.score)
        if rerank and not options.prefer_recent:
            update_first(passages, self._newer_first_margin)
        return RetrievalResult(query, passages[:options.top_k], clock.timings)

    def _dense(self, query_vector: list[float], filters: SearchFilters,
               within: Spans | None) -> tuple[list[VectorHit], Spans, bool]:
        """Nearest chunks with the live spans of those that may be used, and whether the
        search was exact: chunk ids name a content version and the catalog knows only the
        live ones, so a vector left behind by an update or an interrupted ingest is never
        used. A filter is applied after the unfiltered index search where that finds
        enough, except when it keeps no more chunks than that search would read; else the
        chunks it keeps (``within``, up to the exact-search budget) are searched exactly
        (all of them come back, scored); else the filter goes inside Chroma's query."""
        probe = self._probe(filters) if filters != SearchFilters() else 0
        if probe and (within is None or len(within) > probe):
            found = self._post_filtered(query_vector, filters, probe)
            if found is not None:
                return *found, False
        if within is not None:
            return self._exact.rank(query_vector, within), within, True
        undated = self._catalog.undated_documents(filters.undated_until) if filters.undated_until else ()
        hits = self._vectors.search(query_vector, self._candidates, filters, undated)
        return hits, self._catalog.chunk_spans([h.chunk_id for h in hits]), False

    def _probe(self, filters: SearchFilters) -> int:
        """How many of the unfiltered index's nearest chunks to read for ``filters``; 0:
        none, the share they keep being too small for a probe to find the candidates."""
        probe = self._candidates * POST_FILTER_PROBE
        kept = self._catalog.admitted_chunks(filters)
        total = self._catalog.admitted_chunks(SearchFilters())
        sized = math.ceil(probe * total / kept) if kept else 0
        return sized if sized <= MAX_POST_FILTER_PROBE else 0

    def _post_filtered(self, query_vector: list[float], filters: SearchFilters,
                       probe: int) -> tuple[list[VectorHit], Spans] | None:
        """The hits of the unfiltered index that ``filters`` admit, when they are at least
        the candidates or the index holds no more: then they are the filtered search's
        nearest (within the index's approximation); None otherwise."""
        hits = self._vectors.search(query_vector, probe, SearchFilters())
        admitted = self._catalog.chunk_spans([h.chunk_id for h in hits], filters)
        kept = [h for h in hits if h.chunk_id in admitted]
        if len(kept) >= self._candidates or len(hits) < probe:
            return kept, admitted
        return None

    def _timed_lexical(self, query: str, filters: SearchFilters,
                       within: Spans | None) -> tuple[list[tuple[str, str, float]], float]:
        started = time.perf_counter()
        hits = self._catalog.lexical_search(query, self._candidates, filters, within)
        return hits, round((time.perf_counter() - started) * 1000, 2)

    def _passages(self, chunk_ids: list[str], spans: Spans,
                  fused: dict[str, float], dense_scores: dict[str, float],
                  lexical_scores: dict[str, float], query_vector: list[float]) -> list[Passage]:
        lexical_only = [c for c in chunk_ids if c not in spans]
        spans = {**spans, **self._catalog.chunk_spans(lexical_only)} if lexical_only else spans
        docs = self._catalog.get_many([spans[c][0] for c in chunk_ids if c in spans])
        missing = {c: spans[c] for c in chunk_ids if c in spans and c not in dense_scores}
        scored = self._exact.rank(query_vector, missing)
        dense_scores.update((h.chunk_id, h.score) for h in scored)
        passages = []
        for chunk in chunk_ids:
            if chunk not in spans or spans[chunk][0] not in docs:
                continue
            doc_id, start, end = spans[chunk]
            dense = dense_scores.get(chunk, 0.0)
            scores = {"fused": fused[chunk], "dense": dense}
            if chunk in lexical_scores:
                scores["lexical"] = lexical_scores[chunk]
            passages.append(_passage(chunk, docs[doc_id], start, end, score=fused[chunk],
                                     relevance=dense, scores=scores))
        return passages

    def _rerank(self, query: str, passages: list[Passage]) -> None:
        assert self._reranker is not None
        logits = self._reranker.score(query, [f"{p.title}. {p.text}" for p in passages])
        for passage, logit in zip(passages, logits):
            passage.scores["rerank"] = logit
            passage.relevance = logit
            passage.score = logit

    def _prefer_recent(self, passages: list[Passage], as_of: str | None) -> None:
        """Blend min-max normalised relevance with an exponential decay on article age,
        measured from ``as_of`` (or the newest candidate), so that of two equally good
        passages the later report wins."""
        dated = [p.published for p in passages if p.published]
        if not dated:
            return
        reference = date.fromisoformat((as_of or max(dated))[:10])
        low = min(p.score for p in passages)
        span = (max(p.score for p in passages) - low) or 1.0
        for p in passages:
            age = (reference - date.fromisoformat(p.published[:10])).days if p.published else 3650
            recency = math.exp(-max(age, 0) * math.log(2) / self._half_life)
            p.scores["recency"] = recency
            p.score = (1 - self._recency_weight) * (p.score - low) / span + self._recency_weight * recency


def _passage(chunk_id: str, doc: DocumentRecord, start: int, end: int, *, score: float,
             relevance: float, scores: dict[str, float]) -> Passage:
    return Passage(chunk_id=chunk_id, doc_id=doc.doc_id, title=doc.title,
                   text=doc.text[start:end], start=start, end=end, url=doc.url,
                   source=doc.source, published=doc.published, score=score,
                   relevance=relevance, scores=scores)

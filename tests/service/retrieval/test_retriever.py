"""Retrieval through the real stores: a narrow filter is searched exactly among the chunks
it keeps, a wide one after the index search or inside it, and each gives the same passages
as Chroma's filtered index search; searches beyond the configured concurrency wait their
turn."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest

from ingest.article import Article
from ingest.store.records import SearchFilters
from service.assembly import Components
from service.retrieval import retriever as retriever_module
from service.retrieval.retriever import RetrievalOptions, Retriever
from service.retrieval.turns import Turns

ARTICLES = [
    Article(id=f"port-{day:02d}", title=f"Harbour report {day}", published=f"2026-03-{day:02d}",
            source="Coastal Ledger" if day % 2 else "Metro Wire",
            text=f"On day {day} the harbour handled {day * 40} containers. Ferries to the island "
                 f"ran {'late' if day % 3 else 'on time'}, and the board discussed dredging.")
    for day in range(1, 13)
]
QUESTION = "How many containers did the harbour handle, and were the ferries late?"


def _retriever(components: Components, **options: Any) -> Retriever:
    corpus = components.corpus()
    return Retriever(components.embedder, corpus.vectors, corpus.catalog, None, **options)


def _found(retriever: Retriever, options: RetrievalOptions) -> list[tuple[str, float]]:
    return [(p.doc_id, p.scores["dense"]) for p in retriever.search(QUESTION, options).passages]


def _search(components: Components, options: RetrievalOptions) -> list[tuple[str, float]]:
    return _found(components.corpus().retriever, options)


def _index_searches(components: Components, monkeypatch: pytest.MonkeyPatch) -> list[SearchFilters]:
    """The filters of every vector index search from now on, in order."""
    asked: list[SearchFilters] = []
    vectors = components.corpus().vectors
    search = vectors.search
    monkeypatch.setattr(vectors, "search",
                        lambda vector, k, f, undated=(): asked.append(f) or search(vector, k, f, undated))
    return asked


@pytest.mark.parametrize("filters", [SearchFilters(sources=("Metro Wire",)),
                                     SearchFilters(date_from="2026-03-04", date_to="2026-03-09")])
def test_a_narrow_filter_searched_exactly_finds_what_the_index_finds(
        components: Components, monkeypatch: pytest.MonkeyPatch, filters: SearchFilters) -> None:
    components.corpus().indexer.ingest(ARTICLES)
    options = RetrievalOptions(top_k=4, filters=filters, rerank=False)
    through_index = _found(_retriever(components, exact_chunks=0), options)
    exactly = _search(components, options)
    # Chroma's distances and the exact dot products differ in the fifth decimal.
    assert len(exactly) == 4 and [d for d, _ in exactly] == [d for d, _ in through_index]
    assert [s for _, s in exactly] == pytest.approx([s for _, s in through_index], abs=1e-4)
    published = {a.id: a for a in ARTICLES}
    for doc_id, _ in exactly:
        article = published[doc_id]
        assert not filters.sources or article.source in filters.sources
        assert not filters.date_from or article.published >= filters.date_from
        assert not filters.date_to or article.published <= filters.date_to


ONE_DAY = SearchFilters(date_from="2026-03-05", date_to="2026-03-05")


@pytest.mark.parametrize("filters, cap, after_the_search", [
    (SearchFilters(sources=("Metro Wire",)), 2_000, True),  # half the chunks pass: the nearest 8 of 12 read
    (ONE_DAY, 2_000, True),  # one passes: 48 wanted, the whole index of 12 read
    (ONE_DAY, 10, False),  # 48 wanted, above the cap: the filter goes inside the index search
])
def test_a_filter_is_applied_after_an_index_search_sized_to_the_share_it_keeps(
        components: Components, monkeypatch: pytest.MonkeyPatch, filters: SearchFilters, cap: int,
        after_the_search: bool) -> None:
    components.corpus().indexer.ingest(ARTICLES)
    retriever = _retriever(components, mode="dense", candidates=1, exact_chunks=0)
    monkeypatch.setattr(retriever_module, "MAX_POST_FILTER_PROBE", cap)
    asked = _index_searches(components, monkeypatch)
    options = RetrievalOptions(top_k=1, filters=filters, rerank=False)
    probed = _found(retriever, options)
    assert asked == ([SearchFilters()] if after_the_search else [filters])
    monkeypatch.setattr(retriever_module, "POST_FILTER_PROBE", 0)
    asked.clear()
    inside = _found(retriever, options)
    assert asked == [filters]
    assert probed == inside and len(probed) == 1


def test_a_probe_that_finds_too_few_leaves_the_filter_to_the_index_search(
        components: Components, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the share a one-day filter keeps overstated as the whole index, the probe reads
    the 4 nearest chunks, which miss that day: Chroma's filtered search finds it."""
    corpus = components.corpus()
    corpus.indexer.ingest(ARTICLES)
    nearest = {doc for doc, _ in _found(_retriever(components, mode="dense", candidates=4),
                                        RetrievalOptions(top_k=4, rerank=False))}
    missed = next(a for a in ARTICLES if a.id not in nearest)
    day = SearchFilters(date_from=missed.published, date_to=missed.published)
    monkeypatch.setattr(corpus.catalog, "admitted_chunks", lambda filters: len(ARTICLES))
    asked = _index_searches(components, monkeypatch)
    found = _found(_retriever(components, mode="dense", candidates=1, exact_chunks=0),
                   RetrievalOptions(top_k=1, filters=day, rerank=False))
    assert asked == [SearchFilters(), day]
    assert [doc for doc, _ in found] == [missed.id]


@pytest.mark.parametrize("filters, index_searches", [
    (SearchFilters(date_from="2026-03-05", date_to="2026-03-05"), []),  # 1 chunk: exact
    # 6 of 12 chunks: a probe would read 8, more than the filter keeps: exact.
    (SearchFilters(sources=("Metro Wire",)), []),
    # 8 of 12: a probe of 6 (4 candidates at two thirds) first.
    (SearchFilters(date_from="2026-03-01", date_to="2026-03-08"), [SearchFilters()]),
])
def test_a_filter_within_the_exact_budget_is_probed_first_only_when_it_keeps_more_than_the_probe(
        components: Components, monkeypatch: pytest.MonkeyPatch, filters: SearchFilters,
        index_searches: list[SearchFilters]) -> None:
    components.corpus().indexer.ingest(ARTICLES)
    options = RetrievalOptions(top_k=1, filters=filters, rerank=False)
    asked = _index_searches(components, monkeypatch)
    found = [doc for doc, _ in _found(_retriever(components, mode="dense", candidates=1, exact_chunks=200), options)]
    assert asked == index_searches
    inside = [doc for doc, _ in _found(_retriever(components, mode="dense", candidates=1, exact_chunks=0), options)]
    assert found == inside and len(found) == 1


def test_searches_beyond_the_concurrency_wait_their_turn(
        components: Components, monkeypatch: pytest.MonkeyPatch) -> None:
    components.corpus().indexer.ingest(ARTICLES)
    retriever = Retriever(components.embedder, components.corpus().vectors, components.catalog, None,
                          turns=Turns(2))
    embed, lock = components.embedder.embed_query, threading.Lock()
    running, most = 0, 0

    def slow_embed(text: str) -> list[float]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return embed(text)

    monkeypatch.setattr(components.embedder, "embed_query", slow_embed)
    with ThreadPoolExecutor(max_workers=6) as clients:
        results = list(clients.map(
            lambda _: retriever.search(QUESTION, RetrievalOptions(rerank=False)), range(6)))
    assert most == 2
    assert all(r.passages and r.passages[0].doc_id.startswith("port-") for r in results)


ARCHIVE = [
    Article(id=f"archive-{year}", title=f"Harbor City mayoral election {year}: who will win?",
            published=f"{year}-06-01", source="Coastal Ledger",
            text=f"Who won the Harbor City mayoral election debate of {year}? The candidates for mayor of "
                 "Harbor City debated again, and voters said the mayoral election was too close to call.")
    for year in range(2016, 2026)
]
RESULT = Article(id="result", title="Reyes takes the mayor's office", published="2026-03-11", source="Metro Wire",
                 text="Dana Reyes was elected on Tuesday with 54 percent of the vote, "
                      "becoming the port town's first new leader in twelve years.")
ELECTION = "Who won the Harbor City mayoral election?"


def test_the_last_days_before_as_of_get_rerank_candidates_of_their_own(
        components: Components, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real stores and cross-encoder: ten years of archive that repeat the question's words
    fill every candidate slot, so without its own lane the result reported this week never
    reaches the cross-encoder; with it, it is scored beside them. Without a date bound there
    is no recent window."""
    c = components
    c.corpus().indexer.ingest([*ARCHIVE, RESULT])
    scored: list[str] = []
    score = c.reranker.score

    def spy(query: str, texts: list[str]) -> list[float]:
        scored.extend(texts)
        return score(query, texts)

    monkeypatch.setattr(c.reranker, "score", spy)

    def reranked(days: int, as_of: str | None) -> list[str]:
        scored.clear()
        retriever = Retriever(c.embedder, c.corpus().vectors, c.catalog, c.reranker, candidates=3,
                              rerank_candidates=3, recent_lane_days=days)
        found = retriever.search(ELECTION, RetrievalOptions(top_k=3, as_of=as_of)).passages
        assert len(found) == 3 and found[0].doc_id.startswith("archive-")
        return scored[:]

    assert len(reranked(0, "2026-03-12")) == 3
    with_lane = reranked(3, "2026-03-12")
    assert len(with_lane) == 4 and RESULT.text in with_lane[-1]
    assert not any(RESULT.text in text for text in reranked(0, "2026-03-12") + reranked(3, None))


UNDATED = Article(id="port-undated", title="Harbour report, no date",
                  text="The harbour handled 999 containers and the ferries to the island ran late.")


@pytest.mark.parametrize("path", ["exact", "after the index search", "inside the index search"])
@pytest.mark.parametrize("policy", ["exclude", "ingested", "include"])
def test_as_of_admits_undated_articles_by_policy_and_never_under_explicit_dates(
        components: Components, monkeypatch: pytest.MonkeyPatch, path: str, policy: str) -> None:
    if path == "inside the index search":
        monkeypatch.setattr(retriever_module, "POST_FILTER_PROBE", 0)
    components.settings = components.settings.model_copy(update={
        "as_of_undated": policy, "exact_search_chunks": 200 if path == "exact" else 0})
    components.corpus().indexer.ingest([*ARTICLES, UNDATED])
    today = date.today().isoformat()
    assert components.catalog.undated_documents(today) == ["port-undated"]
    assert components.catalog.undated_documents("2026-03-06") == []

    def found(options: RetrievalOptions) -> set[str]:
        return {doc for doc, _ in _search(components, options)}

    deep = dict(top_k=20, rerank=False)
    assert "port-undated" in found(RetrievalOptions(**deep))
    # Ingested today, after this as_of: only "include" admits it.
    before = found(RetrievalOptions(as_of="2026-03-06", **deep))
    assert ("port-undated" in before) == (policy == "include")
    assert {d for d in before if d != "port-undated"} == {f"port-{day:02d}" for day in range(1, 7)}
    # As of today it cannot have been published later than the bound.
    now = found(RetrievalOptions(as_of=today, **deep))
    assert ("port-undated" in now) == (policy != "exclude")
    explicit = found(RetrievalOptions(as_of=today, filters=SearchFilters(date_to="2026-03-05"), **deep))
    assert "port-undated" not in explicit and explicit

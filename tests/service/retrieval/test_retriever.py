"""Retrieval through the real stores: a narrow filter is searched exactly among the chunks
it keeps, and that gives the same passages as Chroma's filtered index search; searches
beyond the configured concurrency wait their turn."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

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


def _search(components: Components, options: RetrievalOptions) -> list[tuple[str, float]]:
    return [(p.doc_id, p.scores["dense"]) for p in components.retriever.search(QUESTION, options).passages]


@pytest.mark.parametrize("filters", [SearchFilters(sources=("Metro Wire",)),
                                     SearchFilters(date_from="2026-03-04", date_to="2026-03-09")])
def test_a_narrow_filter_searched_exactly_finds_what_the_index_finds(
        components: Components, monkeypatch: pytest.MonkeyPatch, filters: SearchFilters) -> None:
    components.indexer.ingest(ARTICLES)
    options = RetrievalOptions(top_k=4, filters=filters, rerank=False)
    monkeypatch.setattr(retriever_module, "EXACT_SEARCH_MAX_CHUNKS", 0)
    through_index = _search(components, options)
    monkeypatch.setattr(retriever_module, "EXACT_SEARCH_MAX_CHUNKS", 200)
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


def test_searches_beyond_the_concurrency_wait_their_turn(
        components: Components, monkeypatch: pytest.MonkeyPatch) -> None:
    components.indexer.ingest(ARTICLES)
    retriever = Retriever(components.embedder, components.vectors, components.catalog, None,
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

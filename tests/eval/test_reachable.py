"""Whether an answer is in the index at all, through the real stores."""

from __future__ import annotations

from eval.reachable import answer_in_index
from ingest.article import Article
from ingest.store.records import SearchFilters
from service.assembly import Components

ARTICLES = [
    Article(title="Harbor bridge opens", id="bridge", published="2025-03-02", source="Harbor Ledger",
            text="The Tidewater bridge opened to traffic on Sunday. The mayor cut the ribbon."),
    Article(title="Bridge tolls set", id="tolls", published="2025-04-10", source="Harbor Ledger",
            text="Crossing the Tidewater bridge will cost 2.50 dollars from May, the council said."),
]


def test_an_answer_counts_only_in_articles_the_filters_admit(components: Components) -> None:
    components.corpus().indexer.ingest(ARTICLES)
    catalog = components.catalog
    assert answer_in_index(catalog, ["2.50 dollars"], SearchFilters()) == 1.0
    assert answer_in_index(catalog, ["2.50 dollars"], SearchFilters(date_to="2025-03-31")) == 0.0, (
        "the toll article is dated after the window")
    assert answer_in_index(catalog, ["the mayor", "a governor"], SearchFilters(date_to="2025-03-31")) == 1.0
    assert answer_in_index(catalog, ["Tidewater tunnel"], SearchFilters()) == 0.0, (
        "both words occur, but never together")
    assert answer_in_index(catalog, [], SearchFilters()) is None

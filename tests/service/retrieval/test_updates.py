"""A later report that repeats an earlier one's figure leads; other later stories do not."""

from __future__ import annotations

from service.assembly import Components
from service.retrieval.passages import Passage
from service.retrieval.retriever import RetrievalOptions, Retriever
from service.retrieval.updates import update_first

FIRST = "The fair drew a record 52,000 visitors, organisers said."
AUDIT = "The fair drew 41,000 visitors, not the 52,000 first announced, an audit found."
MARKET = "Visitors to the fair praised the new food market and the harbour views."


def _passage(doc: str, text: str, published: str | None, score: float) -> Passage:
    return Passage(f"{doc}-0", doc, doc, text, 0, len(text), None, "Wire", published, score=score,
                   scores={"rerank": score})


def _order(passages: list[Passage], margin: float) -> list[str]:
    update_first(passages, margin)
    return [p.doc_id for p in passages]


def test_an_update_within_the_margin_leads() -> None:
    ranked = [_passage("first", FIRST, "2026-03-01", 6.0), _passage("audit", AUDIT, "2026-03-20", 5.0)]
    assert _order(ranked, 2.0) == ["audit", "first"]


def test_other_passages_keep_their_place() -> None:
    first = _passage("first", FIRST, "2026-03-01", 6.0)
    cases = {
        "shares no figure": _passage("market", MARKET, "2026-04-10", 5.5),
        "beyond the margin": _passage("audit", AUDIT, "2026-03-20", 3.0),
        "published earlier": _passage("audit", AUDIT, "2026-02-20", 5.0),
        "undated": _passage("audit", AUDIT, None, 5.0),
        "same article": _passage("first", AUDIT, "2026-03-20", 5.0),
    }
    for case, other in cases.items():
        assert _order([first, other], 2.0)[0] == "first", case
    assert _order([first, _passage("audit", AUDIT, "2026-03-20", 5.0)], 0.0)[0] == "first"


def test_the_audited_attendance_leads_in_the_sample_corpus(sample_components: Components) -> None:
    """Real index and cross-encoder: the July report of 212,000 visitors scores above the
    August audit that cut it to 168,000; the audit is put first."""
    c = sample_components
    question = "How many visitors attended Harborfest 2025?"
    options = RetrievalOptions(top_k=5)
    by_relevance = Retriever(c.embedder, c.corpus().vectors, c.catalog, c.reranker, newer_first_margin=0.0)
    plain = by_relevance.search(question, options).passages
    assert "212,000" in plain[0].text and "168,000" in plain[1].text
    assert plain[0].score > plain[1].score
    updated = c.corpus().retriever.search(question, options).passages
    assert "168,000" in updated[0].text and updated[1].chunk_id == plain[0].chunk_id

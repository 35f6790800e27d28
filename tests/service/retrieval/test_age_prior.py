"""The age prior: this week's report leads an older one that reads as well, unless the
question names a year; relevance, which refusals read, is left as the cross-encoder gave it."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.article import Article
from service.assembly import Components
from service.retrieval.age_prior import AgePrior
from service.retrieval.passages import Passage
from service.retrieval.retriever import RetrievalOptions, Retriever


def _passage(chunk_id: str, published: str | None, logit: float) -> Passage:
    return Passage(chunk_id=chunk_id, doc_id=chunk_id, title="t", text="x", start=0, end=1, url=None,
                   source=None, published=published, score=logit, relevance=logit, scores={"rerank": logit})


def test_the_penalty_grows_with_the_logarithm_of_age() -> None:
    prior = AgePrior(weight=0.5, days=3.0)
    passages = [_passage("today", "2026-03-12", 0.0), _passage("three-days", "2026-03-09", 0.0),
                _passage("nine-days", "2026-03-03", 0.0), _passage("future", "2026-03-20", 0.0)]
    prior.apply(passages, date(2026, 3, 12))
    assert [p.scores["age"] for p in passages] == pytest.approx([0.0, -0.5, -1.0, 0.0])
    assert [p.score for p in passages] == pytest.approx([0.0, -0.5, -1.0, 0.0])
    assert all(p.relevance == 0.0 and p.rerank_logit == 0.0 for p in passages)


def test_a_year_apart_weighs_more_than_two_old_pieces_a_year_apart() -> None:
    """Log scale: this week against last year is a wide gap, 2019 against 2020 a narrow one."""
    prior = AgePrior(weight=0.5, days=3.0)
    passages = [_passage(day, day, 0.0) for day in ("2026-03-10", "2025-03-10", "2020-03-10", "2019-03-10")]
    prior.apply(passages, date(2026, 3, 12))
    recent, last_year, older, oldest = (p.score for p in passages)
    assert recent - last_year > 3.0 and 0 < older - oldest < 0.2


def test_an_undated_passage_counts_as_the_oldest() -> None:
    passages = [_passage("new", "2026-03-11", 0.0), _passage("old", "2020-01-01", 0.0),
                _passage("undated", None, 0.0)]
    AgePrior().apply(passages, date(2026, 3, 12))
    assert passages[2].score == pytest.approx(passages[1].score)


def test_a_question_that_names_a_year_or_a_zero_weight_turns_it_off() -> None:
    assert AgePrior().applies("Who won the mayoral election?")
    assert not AgePrior().applies("Who won the 2019 mayoral election?")
    assert not AgePrior(weight=0.0).applies("Who won the mayoral election?")


OLD = Article(id="mayor-2022", title="Harbor City mayoral election", published="2022-03-08", source="Metro Wire",
              text="Tom Okafor won the Harbor City mayoral election on Tuesday, "
                   "taking 51 percent of the vote.")
NEW = Article(id="mayor-2026", title="Reyes takes the mayor's office", published="2026-03-10", source="Metro Wire",
              text="Dana Reyes was elected mayor of Harbor City on Tuesday with 54 percent of the vote.")


def test_the_report_nearest_the_question_leads_through_the_real_stores(components: Components) -> None:
    """Real Chroma and cross-encoder: two elections of the same city, the older one told in
    the question's own words, so the cross-encoder alone puts it first. With the prior this
    week's result leads, unless the question names its year; relevance stays the
    cross-encoder's either way."""
    c = components
    c.corpus().indexer.ingest([OLD, NEW])

    def ranked(question: str, prior: AgePrior) -> list[Passage]:
        retriever = Retriever(c.embedder, c.corpus().vectors, c.catalog, c.reranker, age_prior=prior)
        return retriever.search(question, RetrievalOptions(top_k=2, as_of="2026-03-12")).passages

    question = "Who won the Harbor City mayoral election?"
    plain, dated = ranked(question, AgePrior(weight=0.0)), ranked(question, AgePrior())
    assert [p.doc_id for p in plain] == ["mayor-2022", "mayor-2026"]
    assert [p.doc_id for p in dated] == ["mayor-2026", "mayor-2022"]
    assert {p.doc_id: p.relevance for p in dated} == pytest.approx({p.doc_id: p.relevance for p in plain})
    named = ranked("Who won the Harbor City mayoral election in 2022?", AgePrior())
    assert named[0].doc_id == "mayor-2022" and "age" not in named[0].scores

"""When the service refuses before generation: weak retrieval, or a year nothing mentions."""

from __future__ import annotations

from service.answering.refusal import NO_RELEVANT_PASSAGE, YEAR_NOT_FOUND, RefusalPolicy
from service.retrieval.passages import Passage
from service.settings import Settings

TEXT = "Some passengers are now receiving thousands of frequent flier miles, the airline said."


def _policy() -> RefusalPolicy:
    settings = Settings()
    return RefusalPolicy(min_rerank_logit=settings.min_rerank_logit,
                         min_dense_similarity=settings.min_dense_similarity)


def _passage(rerank: float | None, published: str | None = "2023-01-05", dense: float = 0.5) -> Passage:
    scores = {"dense": dense} if rerank is None else {"dense": dense, "rerank": rerank}
    return Passage("c", "d", "Airline apologises", TEXT, 0, len(TEXT), None, "Wire", published, scores=scores)


def test_a_year_no_passage_mentions_means_another_event() -> None:
    policy = _policy()
    refusal = policy.before_generation("Which airline apologised in 2021?", [_passage(5.0)])
    assert refusal is not None and refusal.code == YEAR_NOT_FOUND and "2021" in refusal.detail
    assert policy.before_generation("Which airline apologised in 2023?", [_passage(5.0)]) is None
    assert policy.before_generation("Which airline apologised in 2023?", [_passage(5.0, None)]) is not None


def test_a_figure_with_a_thousands_separator_is_no_year_to_look_for() -> None:
    assert _policy().before_generation("Which airline gave 2,000 passengers miles?", [_passage(5.0)]) is None


def test_other_figures_written_differently_do_not_refuse() -> None:
    question = "Which airline will give 25,000 frequent flier miles to stranded passengers?"
    assert _policy().before_generation(question, [_passage(5.0)]) is None


def test_the_rerank_threshold_decides_at_its_value() -> None:
    policy = RefusalPolicy(min_rerank_logit=-2.0, min_dense_similarity=0.45)
    question = "Which airline is giving passengers frequent flier miles?"
    assert policy.before_generation(question, [_passage(-1.9)]) is None
    weak = policy.before_generation(question, [_passage(-2.1)])
    assert weak is not None and weak.code == NO_RELEVANT_PASSAGE
    assert weak.detail == "no passage is relevant enough: the best scores -2.1, the minimum is -2.0"
    empty = policy.before_generation(question, [])
    assert empty is not None and empty.code == NO_RELEVANT_PASSAGE
    # An update put first may score below the report it corrects: the best score decides.
    assert policy.before_generation(question, [_passage(-2.5), _passage(-1.0)]) is None


def test_without_reranking_the_dense_similarity_decides() -> None:
    policy = RefusalPolicy(min_rerank_logit=-4.0, min_dense_similarity=0.45)
    question = "Which airline is giving passengers frequent flier miles?"
    assert policy.before_generation(question, [_passage(None, dense=0.61)]) is None
    weak = policy.before_generation(question, [_passage(None, dense=0.31)])
    assert weak is not None and weak.code == NO_RELEVANT_PASSAGE
    assert weak.detail == "no passage is similar enough: the best scores 0.31, the minimum is 0.45"


def test_the_model_declining_is_told_from_news_about_what_a_source_did_not_say() -> None:
    declined = ["The passages don't say.", "The salary is not mentioned in the given passage.",
                "The article does not provide information about lawsuits.", "I cannot answer that.", ""]
    assert all(RefusalPolicy.model_refused(answer) for answer in declined)
    assert not RefusalPolicy.model_refused("Officials did not specify a date; the plant opens in 2027.")

"""The packaged cross-encoder: relevant passages score above unrelated ones, and a pair's
score does not depend on which other passages share the call or on their order."""

from __future__ import annotations

import pytest

from service.retrieval.reranker import CrossEncoderReranker, packaged_reranker_path

QUESTION = "Which company did Apple pick as its AI partner in China?"
RELEVANT = "Apple picked Alibaba as its AI partner for iPhones sold in China, after passing on Baidu."
UNRELATED = [
    "The council approved 40 new bus shelters along the harbour road.",
    "Heavy rain closed two schools in the valley on Tuesday.",
    "The central bank left its key rate at 4.25% for a third meeting.",
]


@pytest.fixture(scope="module")
def reranker() -> CrossEncoderReranker:
    return CrossEncoderReranker(packaged_reranker_path(), lanes=2, max_tokens=64)


def test_the_passage_that_answers_scores_highest(reranker: CrossEncoderReranker) -> None:
    scores = reranker.score(QUESTION, [*UNRELATED, RELEVANT])
    assert scores.index(max(scores)) == 3
    assert scores[3] > 0 > max(scores[:3])


def test_a_pair_scores_the_same_alone_in_company_and_in_any_order(
        reranker: CrossEncoderReranker) -> None:
    passages = [RELEVANT, *UNRELATED] * 3
    together = reranker.score(QUESTION, passages)
    alone = [reranker.score(QUESTION, [p])[0] for p in passages]
    reversed_order = reranker.score(QUESTION, passages[::-1])[::-1]
    assert together == alone == reversed_order


def test_text_past_the_word_piece_budget_is_not_read(reranker: CrossEncoderReranker) -> None:
    filler = " ".join(["The weather was mild."] * 40)
    tail_differs = [f"{UNRELATED[0]} {filler} {RELEVANT}", f"{UNRELATED[0]} {filler} {UNRELATED[1]}"]
    first, second = reranker.score(QUESTION, tail_differs)
    assert first == second


def test_no_passages_no_work(reranker: CrossEncoderReranker) -> None:
    assert reranker.score(QUESTION, []) == []

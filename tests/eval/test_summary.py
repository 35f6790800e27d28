"""Aggregation: means over applicable questions, per type, latency percentiles, refusal reasons."""

from __future__ import annotations

from eval.runner import QuestionResult
from eval.summary import summarize


def _result(qid: str, qtype: str, scores: dict[str, float | None], total: float,
            refusal: str | None = None) -> QuestionResult:
    return QuestionResult(id=qid, type=qtype, question="?", standalone_question="?",
                          answerable=qtype != "unanswerable", as_of=None, answers=[], gold_doc_ids=[],
                          retrieved_doc_ids=[], retrieved_titles=[], answer="", refused=refusal is not None,
                          refusal=refusal, generated="", citations=[],
                          timings_ms={"total": total, "rerank": total / 2}, scores=scores)


def test_summary_by_type_and_overall() -> None:
    summary = summarize([
        _result("a", "single-fact", {"answer_correct": 1.0, "refusal_accuracy": None}, 100),
        _result("b", "single-fact", {"answer_correct": 0.0, "refusal_accuracy": None}, 200),
        _result("c", "unanswerable", {"answer_correct": None, "refusal_accuracy": 1.0}, 300),
    ])
    assert summary["questions"] == 3
    assert summary["overall"]["metrics"]["answer_correct"] == 0.5
    assert summary["overall"]["counts"]["answer_correct"] == 2
    assert summary["overall"]["metrics"]["refusal_accuracy"] == 1.0
    assert summary["overall"]["metrics"]["recall@5"] is None
    assert summary["by_type"]["single-fact"]["n"] == 2
    assert summary["by_type"]["unanswerable"]["metrics"]["answer_correct"] is None
    assert summary["latency_ms"]["total"] == {"p50": 200.0, "p95": 290.0, "mean": 200.0}
    assert list(summary["latency_ms"]) == ["rerank", "total"]


def test_refusals_are_counted_by_reason_apart_for_answerable_and_unanswerable() -> None:
    summary = summarize([
        _result("a", "single-fact", {}, 100, refusal="off_scope"),
        _result("b", "numeric", {}, 100, refusal="no_relevant_passage"),
        _result("c", "numeric", {}, 100, refusal="off_scope"),
        _result("d", "unanswerable", {}, 100, refusal="no_relevant_passage"),
        _result("e", "unanswerable", {}, 100),
        _result("f", "single-fact", {}, 100),
    ])
    assert summary["refusals"] == {"answerable": {"no_relevant_passage": 1, "off_scope": 2},
                                   "unanswerable": {"no_relevant_passage": 1}}

"""Per-question scoring and the shared deep search, with stand-ins for the retriever and
the ask result (the real stack runs in test_gate.py)."""

from __future__ import annotations

from dataclasses import replace

from eval.runner import EvalItem, SharedSearch, score
from service.answering.ask_service import AskResult
from service.retrieval.passages import Passage
from service.retrieval.retriever import RetrievalOptions, RetrievalResult


def _passage(doc_id: str, text: str = "") -> Passage:
    return Passage(chunk_id=f"{doc_id}-c", doc_id=doc_id, title=doc_id, text=text, start=0,
                   end=len(text), url=None, source=None, published=None)


class CountingRetriever:
    def __init__(self) -> None:
        self.calls: list[RetrievalOptions] = []
        self.mode = "hybrid"

    def search(self, query: str, options: RetrievalOptions) -> RetrievalResult:
        self.calls.append(options)
        return RetrievalResult(query, [_passage(f"d{i}") for i in range(options.top_k)], {"embed": 1.0})


def test_shared_search_serves_the_shallow_and_the_deep_search_once() -> None:
    inner = CountingRetriever()
    shared = SharedSearch(inner, depth=10)  # type: ignore[arg-type]
    options = RetrievalOptions(top_k=5, as_of="2025-01-01")
    assert [p.doc_id for p in shared.search("q", options).passages] == [f"d{i}" for i in range(5)]
    assert len(shared.search("q", replace(options, top_k=10)).passages) == 10
    assert [o.top_k for o in inner.calls] == [10]
    shared.search("q", replace(options, as_of="2024-01-01"))
    shared.search("other", options)
    assert len(inner.calls) == 3, "other options or another query search again"
    assert shared.mode == "hybrid"


def _asked(answer: str, refused: bool = False, citations: list[dict[str, object]] | None = None) -> AskResult:
    refusal = {"code": "unsupported", "detail": "nothing supports it"} if refused else None
    return AskResult(answer=answer, citations=citations or [], refusal=refusal, standalone_question="q")


ANSWERABLE = EvalItem(id="q1", type="single-fact", question="Who scored?",
                      answers=("Kenji Watanabe", "Watanabe"), gold_doc_ids=("gold",), answerable=True)
UNANSWERABLE = EvalItem(id="q2", type="unanswerable", question="Who?", answers=(), gold_doc_ids=(),
                        answerable=False)


def test_scores_of_a_correct_cited_answer() -> None:
    asked = _asked("Kenji Watanabe scored the winner [1].",
                   citations=[{"doc_id": "gold", "quote": "Watanabe scored."},
                              {"doc_id": "other", "quote": "It rained."}])
    scores = score(ANSWERABLE, ["other", "gold"], ["", "Kenji Watanabe scored"], asked, in_index=1.0)
    assert scores["recall@1"] == 0.0 and scores["recall@3"] == 1.0 and scores["mrr@10"] == 0.5
    assert scores["answer_bearing@5"] == 1.0 and scores["answer_in_index"] == 1.0
    assert scores["answer_correct"] == 1.0 and 0 < scores["token_f1"] < 1  # type: ignore[operator]
    assert scores["citation_precision"] == 0.5 and scores["citation_recall"] == 1.0
    assert scores["false_refusal_rate"] == 0.0 and scores["refusal_accuracy"] is None


def test_a_false_refusal_scores_zero_and_has_no_citation_metrics() -> None:
    scores = score(ANSWERABLE, ["gold"], ["Watanabe"], _asked("The articles do not say.", refused=True),
                   in_index=1.0)
    assert scores["answer_correct"] == 0.0 and scores["token_f1"] == 0.0
    assert scores["false_refusal_rate"] == 1.0
    assert scores["citation_precision"] is None and scores["citation_recall"] is None
    assert scores["recall@1"] == 1.0, "retrieval is scored even when the answer is refused"


def test_unanswerable_questions_only_score_refusal() -> None:
    refused = score(UNANSWERABLE, ["d"], ["x"], _asked("The articles do not say.", refused=True), in_index=None)
    answered = score(UNANSWERABLE, ["d"], ["x"], _asked("Someone [1].", citations=[{"doc_id": "d", "quote": "x"}]),
                     in_index=None)
    assert refused["refusal_accuracy"] == 1.0 and answered["refusal_accuracy"] == 0.0
    assert all(v is None for k, v in answered.items() if k != "refusal_accuracy")

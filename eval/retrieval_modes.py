"""Retrieval modes side by side on the same questions: dense only, hybrid (dense + BM25,
rank-fused), hybrid with the cross-encoder rerank (the default). Each mode is its own stack
over the same index and the same condensed questions, so only the ranking differs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

from eval import metrics
from eval.runner import RETRIEVAL_DEPTH, EvalItem, QuestionResult, eval_components
from service.answering.ask_service import AskRequest
from service.assembly import Components

MODES: dict[str, dict[str, Any]] = {
    "dense": {"retrieval_mode": "dense", "rerank": False},
    "hybrid": {"retrieval_mode": "hybrid", "rerank": False},
    "hybrid+rerank": {"retrieval_mode": "hybrid", "rerank": True},
}
_RETRIEVAL_STAGES = ("embed", "dense", "lexical", "fuse", "rerank")


def compare_retrieval(base: Components, items: Sequence[EvalItem],
                      results: Sequence[QuestionResult]) -> dict[str, dict[str, float | None]]:
    """Recall of the gold documents (and answer-bearing recall) per mode, plus the median
    retrieval time. Answers are not generated: every stack answers extractively, so no
    language model is started for a ranking comparison."""
    standalone = {r.id: r.standalone_question for r in results}
    table = {}
    for name, overrides in MODES.items():
        settings = base.settings.model_copy(update={**overrides, "llm_backend": "extractive"})
        stack = eval_components(settings, share_models_with=base)
        table[name] = _measure(stack, [i for i in items if i.answerable], standalone)
    return table


def _measure(stack: Components, items: Sequence[EvalItem], standalone: dict[str, str]) -> dict[str, float | None]:
    recalls: dict[int, list[float | None]] = {1: [], 5: [], 10: []}
    bearing, reciprocal, took = [], [], []
    for item in items:
        request = AskRequest(question=item.question, history=item.history, as_of=item.as_of)
        question = standalone.get(item.id, item.question)
        options = stack.ask_service.retrieval_options(request, question)
        found = stack.retriever.search(question, replace(options, top_k=max(options.top_k, RETRIEVAL_DEPTH)))
        ranked = [p.doc_id for p in found.passages]
        for k in recalls:
            recalls[k].append(metrics.recall_at_k(ranked, item.gold_doc_ids, k))
        reciprocal.append(metrics.reciprocal_rank(ranked, item.gold_doc_ids, RETRIEVAL_DEPTH))
        bearing.append(metrics.answer_bearing([p.text for p in found.passages], item.answers, 5))
        took.append(sum(found.timings_ms.get(s, 0.0) for s in _RETRIEVAL_STAGES))
    row = {f"recall@{k}": _round(metrics.mean(v)) for k, v in recalls.items()}
    row["mrr@10"] = _round(metrics.mean(reciprocal))
    row["answer_bearing@5"] = _round(metrics.mean(bearing))
    p50 = metrics.percentile(took, 50)
    row["retrieval_p50_ms"] = None if p50 is None else round(p50, 1)
    row["questions"] = len(items)
    return row


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)

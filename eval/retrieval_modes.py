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
    retrieval time. The mode the run itself used is read from its results rather than
    ranked twice; the others answer extractively, so no language model is started for a
    ranking comparison."""
    standalone = {r.id: r.standalone_question for r in results}
    answerable = [i for i in items if i.answerable]
    table = {}
    for name, overrides in MODES.items():
        if all(getattr(base.settings, k) == v for k, v in overrides.items()):
            table[name] = _from_results([r for r in results if r.answerable])
            continue
        settings = base.settings.model_copy(update={**overrides, "llm_backend": "extractive"})
        table[name] = _measure(eval_components(settings, share_models_with=base), answerable, standalone)
    return table


def _from_results(results: Sequence[QuestionResult]) -> dict[str, float | None]:
    took = [sum(r.timings_ms.get(s, 0.0) for s in _RETRIEVAL_STAGES) for r in results]
    row = {m: metrics.rounded(metrics.mean(r.scores.get(m) for r in results))
           for m in ("recall@1", "recall@5", "recall@10", "mrr@10", "answer_bearing@5")}
    return {**row, "retrieval_p50_ms": metrics.rounded(metrics.percentile(took, 50), 1), "questions": len(results)}


def _measure(stack: Components, items: Sequence[EvalItem], standalone: dict[str, str]) -> dict[str, float | None]:
    recalls: dict[int, list[float | None]] = {1: [], 5: [], 10: []}
    bearing, reciprocal, took = [], [], []
    for item in items:
        request = AskRequest(question=item.question, history=item.history, as_of=item.as_of)
        question = standalone.get(item.id, item.question)
        options = stack.corpus().ask_service.retrieval_options(request, question)
        found = stack.corpus().retriever.search(question, replace(options, top_k=max(options.top_k, RETRIEVAL_DEPTH)))
        ranked = [p.doc_id for p in found.passages]
        for k in recalls:
            recalls[k].append(metrics.recall_at_k(ranked, item.gold_doc_ids, k))
        reciprocal.append(metrics.reciprocal_rank(ranked, item.gold_doc_ids, RETRIEVAL_DEPTH))
        bearing.append(metrics.answer_bearing([p.text for p in found.passages], item.answers, 5))
        took.append(sum(found.timings_ms.get(s, 0.0) for s in _RETRIEVAL_STAGES))
    row = {f"recall@{k}": metrics.rounded(metrics.mean(v)) for k, v in recalls.items()}
    row["mrr@10"] = metrics.rounded(metrics.mean(reciprocal))
    row["answer_bearing@5"] = metrics.rounded(metrics.mean(bearing))
    return {**row, "retrieval_p50_ms": metrics.rounded(metrics.percentile(took, 50), 1), "questions": len(items)}

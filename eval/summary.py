"""Aggregates per-question scores into the numbers a report shows and a baseline keeps:
overall, per question type, latency percentiles per pipeline stage, and which check
refused how many answerable and unanswerable questions (what to work on next)."""

from __future__ import annotations

from typing import Any, Sequence

from eval import metrics
from eval.runner import QuestionResult

METRICS = ("recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "answer_in_index", "answer_bearing@5",
           "answer_correct", "token_f1", "choice_correct", "citation_precision", "citation_recall",
           "refusal_accuracy", "false_refusal_rate")
LOWER_IS_BETTER = frozenset({"false_refusal_rate"})
STAGES = ("condense", "embed", "dense", "lexical", "fuse", "rerank", "first_token", "generate", "total")


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    by_type: dict[str, list[QuestionResult]] = {}
    for result in results:
        by_type.setdefault(result.type, []).append(result)
    return {"questions": len(results), "overall": group(results),
            "by_type": {t: group(rs) for t, rs in by_type.items()},
            "latency_ms": latency(results), "refusals": refusals(results)}


def refusals(results: Sequence[QuestionResult]) -> dict[str, dict[str, int]]:
    """Refusal counts by reason code, apart for answerable and unanswerable questions."""
    table: dict[str, dict[str, int]] = {"answerable": {}, "unanswerable": {}}
    for result in results:
        if result.refusal:
            counts = table["answerable" if result.answerable else "unanswerable"]
            counts[result.refusal] = counts.get(result.refusal, 0) + 1
    return {kind: dict(sorted(counts.items())) for kind, counts in table.items()}


def group(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Each metric's mean over the questions it applies to, and how many those were."""
    values = {m: [r.scores.get(m) for r in results] for m in METRICS}
    return {"n": len(results),
            "metrics": {m: metrics.rounded(metrics.mean(v)) for m, v in values.items()},
            "counts": {m: sum(x is not None for x in v) for m, v in values.items()}}


def latency(results: Sequence[QuestionResult]) -> dict[str, dict[str, float | None]]:
    table = {}
    for stage in STAGES:
        values = [r.timings_ms[stage] for r in results if stage in r.timings_ms]
        if values:
            table[stage] = {"p50": metrics.rounded(metrics.percentile(values, 50), 1),
                            "p95": metrics.rounded(metrics.percentile(values, 95), 1),
                            "mean": metrics.rounded(metrics.mean(values), 1)}
    return table

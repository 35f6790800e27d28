"""The gate's arithmetic: direction of each metric, tolerances from the file, recording."""

from __future__ import annotations

import json
from pathlib import Path

from eval.baseline import (DEFAULT_TOLERANCES, Delta, comparable, compare, question_fingerprint,
                           record_baseline)


def _baseline(**overall: float) -> dict[str, object]:
    return {"overall": overall, "tolerances": {"default": 0.03, "refusal_accuracy": 0.06},
            "question_fingerprint": question_fingerprint(["q1", "q2"])}


def test_higher_is_better_metrics_fail_below_tolerance() -> None:
    deltas = {d.metric: d for d in compare(_baseline(**{"recall@5": 0.9, "answer_correct": 0.8}),
                                           {"recall@5": 0.86, "answer_correct": 0.78})}
    assert deltas["recall@5"].failed and deltas["recall@5"].change == -0.04
    assert not deltas["answer_correct"].failed


def test_exactly_at_tolerance_passes_and_improvements_never_fail() -> None:
    assert not Delta("recall@5", 0.9, 0.87, 0.03).failed
    assert not Delta("recall@5", 0.5, 1.0, 0.03).failed


def test_false_refusals_fail_when_they_rise() -> None:
    assert Delta("false_refusal_rate", 0.05, 0.09, 0.03).failed
    assert not Delta("false_refusal_rate", 0.05, 0.0, 0.03).failed


def test_metric_specific_tolerance_and_missing_metric() -> None:
    deltas = {d.metric: d for d in compare(_baseline(refusal_accuracy=0.9, token_f1=0.3),
                                           {"refusal_accuracy": 0.85, "token_f1": None})}
    assert deltas["refusal_accuracy"].tolerance == 0.06 and not deltas["refusal_accuracy"].failed
    assert deltas["token_f1"].failed, "a metric that can no longer be computed is a failure"


def test_metrics_without_a_baseline_value_are_not_compared() -> None:
    assert [d.metric for d in compare(_baseline(**{"recall@1": 0.5}), {"recall@1": 0.5, "mrr@10": 0.1})] == ["recall@1"]


def test_fingerprint_ignores_order() -> None:
    assert comparable(_baseline(), ["q2", "q1"])
    assert not comparable(_baseline(), ["q1"])


def _result() -> dict[str, object]:
    group = {"n": 2, "metrics": {"recall@5": 1.0}, "counts": {"recall@5": 2}}
    return {"set": "mine", "backend": "extractive", "machine": "2 cores",
            "summary": {"questions": 2, "overall": group, "by_type": {"single-fact": group},
                        "latency_ms": {"total": {"p50": 1.0, "p95": 2.0, "mean": 1.5}}},
            "questions": [{"id": "q1"}, {"id": "q2"}]}


def test_recording_keeps_the_tolerances_already_stated(tmp_path: Path) -> None:
    path = tmp_path / "baselines" / "mine-extractive.json"
    first = record_baseline(path, _result())
    assert first["tolerances"] == DEFAULT_TOLERANCES
    assert first["overall"] == {"recall@5": 1.0} and first["by_type"]["single-fact"] == {"recall@5": 1.0}
    stored = json.loads(path.read_text())
    stored["tolerances"] = {"default": 0.05}
    path.write_text(json.dumps(stored))
    assert record_baseline(path, _result())["tolerances"] == {"default": 0.05}
    assert comparable(json.loads(path.read_text()), ["q1", "q2"])

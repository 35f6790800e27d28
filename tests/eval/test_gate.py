"""The CI gate: the sample gold set on the default test stack must not fall below the
stored baseline by more than the tolerances stated in the baseline file: all of it with
extractive answers, and a fixed subset with the default local model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eval.baseline import baseline_path, comparable, compare, describe, load_baseline
from eval.report import console_table
from tests.eval.conftest import GOLD_RUN_TIMEOUT_S, LOCAL_GATE_QUESTIONS


def _assert_meets(run: dict[str, Any], path: Path) -> None:
    baseline = load_baseline(path)
    assert baseline is not None, f"no baseline at {path}: record one with `newsqa eval-baseline`"
    assert comparable(baseline, [q["id"] for q in run["questions"]]), (
        "the gold set changed since the baseline was recorded: run `newsqa eval-baseline`")
    print(console_table(run))
    deltas = compare(baseline, run["summary"]["overall"]["metrics"])
    assert deltas, "the baseline holds no metric to compare"
    failed = [d for d in deltas if d.failed]
    assert not failed, "quality fell below the baseline:\n" + describe(failed)


@pytest.mark.timeout(GOLD_RUN_TIMEOUT_S)
def test_gold_set_meets_the_stored_baseline(gold_run: dict[str, Any]) -> None:
    _assert_meets(gold_run, baseline_path("sample_gold", "extractive"))


@pytest.mark.timeout(GOLD_RUN_TIMEOUT_S)
def test_the_local_model_meets_its_baseline_on_the_gate_subset(local_gold_run: dict[str, Any]) -> None:
    _assert_meets(local_gold_run, baseline_path("sample_gold", "local", LOCAL_GATE_QUESTIONS))


@pytest.mark.timeout(GOLD_RUN_TIMEOUT_S)
def test_every_gold_answer_is_in_the_sample_corpus(gold_run: dict[str, Any]) -> None:
    """The gold set's contract (an answer appears verbatim in a supporting article), checked
    against the index as each question's own date filters see it."""
    scores = {q["id"]: q["scores"]["answer_in_index"] for q in gold_run["questions"] if q["answerable"]}
    assert scores and all(v is not None for v in scores.values())
    assert [i for i, v in scores.items() if v == 0.0] == []

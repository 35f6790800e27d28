"""The gate must notice a broken retriever: degrade retrieval on purpose and check that the
comparison fails and names the metric. Each degraded stack runs a slice of the set and is
compared with the healthy run on the same slice, with the stored tolerances."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import pytest

from eval.baseline import baseline_path, compare, describe, load_baseline
from eval.evaluation import evaluate
from eval.runner import EvalItem, QuestionResult, SharedSearch, eval_components
from eval.summary import summarize
from service.assembly import Components
from service.retrieval.retriever import RetrievalOptions, RetrievalResult, Retriever
from tests.eval.conftest import GOLD_RUN_TIMEOUT_S

SLICE = 8


class DropTopResults:
    """A retriever that loses its best passages."""

    def __init__(self, inner: Retriever, drop: int = 3) -> None:
        self._inner = inner
        self._drop = drop

    def search(self, query: str, options: RetrievalOptions) -> RetrievalResult:
        found = self._inner.search(query, replace(options, top_k=options.top_k + self._drop))
        return RetrievalResult(found.query, found.passages[self._drop:], found.timings_ms)


class ReversedReranker:
    """A cross-encoder whose judgement is upside down."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def score(self, query: str, texts: list[str]) -> list[float]:
        return [-s for s in self._inner.score(query, texts)]


def _drop_top(stack: Components) -> None:
    stack.corpus().retriever = SharedSearch(DropTopResults(stack.corpus().retriever.inner))


def _reverse_rerank(stack: Components) -> None:
    stack.reranker = ReversedReranker(stack.reranker)


def _results(run: dict[str, Any], ids: set[str]) -> list[QuestionResult]:
    return [QuestionResult(**q) for q in run["questions"] if q["id"] in ids]


@pytest.mark.timeout(GOLD_RUN_TIMEOUT_S)
@pytest.mark.parametrize("degrade", [_drop_top, _reverse_rerank], ids=["drop-top-3", "reversed-rerank"])
def test_gate_fails_on_degraded_retrieval(degrade: Callable[[Components], None],
                                          sample_components: Components,
                                          gold_items_sample: list[EvalItem],
                                          gold_run: dict[str, Any]) -> None:
    items = [i for i in gold_items_sample if i.answerable][:SLICE]
    healthy = summarize(_results(gold_run, {i.id for i in items}))["overall"]["metrics"]
    stored = load_baseline(baseline_path("sample_gold", "extractive"))
    assert stored is not None, "the tolerances come from the stored baseline"
    baseline = {**stored, "overall": healthy}

    stack = eval_components(sample_components.settings, share_models_with=sample_components)
    degrade(stack)
    degraded = evaluate(stack, items, set_name="degraded", source="test")["summary"]["overall"]["metrics"]

    failed = [d for d in compare(baseline, degraded) if d.failed]
    report = describe(failed)
    assert {d.metric for d in failed} >= {"recall@1", "mrr@10"}, report
    assert "recall@1: " in report and "tolerance 0.03" in report

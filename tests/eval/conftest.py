"""The gold set run once per session on the default test stack (sample corpus, real
Chroma, embedder and reranker), shared by the gate tests: every question with extractive
answers, and ``LOCAL_GATE_QUESTIONS`` of them with the default local model."""

from __future__ import annotations

from typing import Any

import pytest

from eval.command import spread
from eval.evaluation import evaluate
from eval.gold import gold_items, load_gold_set
from eval.report import write_reports
from eval.runner import EvalItem, eval_components
from service.assembly import Components
from service.settings import PROJECT_ROOT

SAMPLE_SET = PROJECT_ROOT / "eval" / "gold" / "sample_gold.jsonl"
REPORT_DIR = PROJECT_ROOT / "test-output" / "eval-gate"
# The whole set runs inside the first gate test's setup: minutes, not the default 600 s cap.
GOLD_RUN_TIMEOUT_S = 3600
# Questions spread evenly over the set (``newsqa eval --limit``) that the local model answers
# in CI: about two minutes on two cores, where the whole set takes ten.
LOCAL_GATE_QUESTIONS = 16


@pytest.fixture(scope="session")
def gold_items_sample(sample_components: Components) -> list[EvalItem]:
    return gold_items(load_gold_set(SAMPLE_SET), sample_components.catalog)


@pytest.fixture(scope="session")
def gold_run(sample_components: Components, gold_items_sample: list[EvalItem]) -> dict[str, Any]:
    """Every question of the sample set; the reports land in test-output/eval-gate/."""
    stack = eval_components(sample_components.settings, share_models_with=sample_components)
    result = evaluate(stack, gold_items_sample, set_name="sample_gold", source=str(SAMPLE_SET))
    write_reports(result, REPORT_DIR)
    return result


@pytest.fixture(scope="session")
def local_gold_run(sample_components: Components, gold_items_sample: list[EvalItem]) -> dict[str, Any]:
    """The gate subset through the default local model. The evidence budget is pinned to
    its floor: left to follow this machine's reading speed, the prompts (and so the
    answers) would differ from the machine the baseline was recorded on."""
    settings = sample_components.settings.model_copy(update={
        "llm_backend": "local", "llm_evidence_tokens": sample_components.settings.llm_evidence_min_tokens})
    stack = eval_components(settings, share_models_with=sample_components)
    try:
        result = evaluate(stack, spread(gold_items_sample, LOCAL_GATE_QUESTIONS), set_name="sample_gold",
                          source=str(SAMPLE_SET))
    finally:
        stack.close()
    write_reports(result, REPORT_DIR.with_name("eval-gate-local"))
    return result

"""One evaluation from items to the payload every report and baseline is made of; shared by
the CLI and the CI gate so that both measure the same thing."""

from __future__ import annotations

import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from eval.baseline import comparable, compare, load_baseline
from eval.retrieval_modes import compare_retrieval
from eval.runner import EvalItem, Progress, run_items
from eval.summary import summarize
from service.answering.ask_service import AskRequest
from service.assembly import Components


def machine() -> str:
    """Where numbers were measured: they mean little without it."""
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{os.cpu_count()} cores, {platform.machine()}, {gpu}"


def evaluate(components: Components, items: Sequence[EvalItem], *, set_name: str, source: str,
             compare_modes: bool = False, progress: Progress | None = None) -> dict[str, Any]:
    s = components.settings
    payload: dict[str, Any] = {
        "set": set_name, "source": source, "backend": s.llm_backend,
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
        "settings": {"retrieval_mode": s.retrieval_mode, "rerank": s.rerank,
                     "top_k": AskRequest(question="").top_k, "rerank_candidates": s.rerank_candidates,
                     "min_rerank_logit": s.min_rerank_logit},
    }
    started = time.perf_counter()
    results = run_items(components, items, progress=progress)
    payload["summary"] = summarize(results)
    if compare_modes:
        payload["retrieval_comparison"] = compare_retrieval(components, items, results)
    payload["duration_s"] = round(time.perf_counter() - started, 1)
    payload["questions"] = [r.as_dict() for r in results]
    return payload


def attach_baseline(payload: dict[str, Any], path: Path) -> dict[str, Any] | None:
    """Adds the deltas against the stored baseline to the payload (None when there is none)."""
    baseline = load_baseline(path)
    if baseline is None:
        payload["baseline"] = None
        return None
    deltas = compare(baseline, payload["summary"]["overall"]["metrics"])
    payload["baseline"] = {
        "path": str(path), "recorded_at": baseline.get("recorded_at"),
        "comparable": comparable(baseline, [q["id"] for q in payload["questions"]]),
        "deltas": [d.as_dict() for d in deltas]}
    return payload["baseline"]

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
from ingest.onnx_session import exact_int8_products
from service.answering.ask_service import AskRequest
from service.assembly import Components


def machine(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """Where numbers were measured: they mean little without it. The CPU's name and its
    int8 kernels go in too, since timings follow the one and, before every CPU got exact
    int8 products, scores followed the other."""
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    try:
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text(errors="replace").splitlines()
                 if line.startswith("model name")]
    except OSError:
        names = []
    name = names[0] if names else platform.processor() or "unknown CPU"
    kernels = "VNNI" if exact_int8_products(cpuinfo) else "no VNNI"
    return f"{os.cpu_count()} cores, {platform.machine()} ({name}, {kernels}), {gpu}"


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

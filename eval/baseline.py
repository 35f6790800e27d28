"""Stored baselines and the regression gate: a metric fails when it is worse than the
baseline by more than its tolerance (absolute). Tolerances live in the baseline file, so
whoever records a baseline states how much noise the gate accepts; re-recording keeps them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from eval.summary import LOWER_IS_BETTER, METRICS
from service.settings import PROJECT_ROOT

BASELINES_DIR = PROJECT_ROOT / "eval" / "baselines"
# One question of 18 unanswerable ones moves refusal accuracy by 0.056; every other rate
# averages over 60 or more questions, where 0.03 is more than one flip of a single question.
DEFAULT_TOLERANCES = {"default": 0.03, "refusal_accuracy": 0.06}


@dataclass(frozen=True)
class Delta:
    metric: str
    baseline: float
    current: float | None
    tolerance: float

    @property
    def change(self) -> float | None:
        return None if self.current is None else round(self.current - self.baseline, 4)

    @property
    def failed(self) -> bool:
        """Worse than the baseline by more than the tolerance (a metric that vanished fails)."""
        if self.current is None:
            return True
        worse = self.current - self.baseline if self.metric in LOWER_IS_BETTER else self.baseline - self.current
        return worse > self.tolerance + 1e-9

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "change": self.change, "failed": self.failed}


def baseline_path(set_name: str, backend: str, limit: int | None = None) -> Path:
    """A run of ``limit`` questions spread over the set (``--limit``) has a baseline of its
    own: the local model's CI gate runs such a subset, the whole set would take too long."""
    suffix = f"-{limit}q" if limit else ""
    return BASELINES_DIR / f"{set_name}-{backend}{suffix}.json"


def question_fingerprint(ids: Sequence[str]) -> str:
    """Identifies the questions a baseline was measured on; comparing runs over other
    questions would read noise as regressions."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


def load_baseline(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def record_baseline(path: Path, result: dict[str, Any]) -> dict[str, Any]:
    """Writes the overall and per-type metrics of ``result`` (a run's result.json payload)
    as the new baseline, keeping the tolerances of the baseline it replaces."""
    previous = load_baseline(path) or {}
    summary = result["summary"]
    baseline = {
        "set": result["set"], "backend": result["backend"],
        "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": result["machine"],
        "questions": summary["questions"],
        "question_fingerprint": question_fingerprint([q["id"] for q in result["questions"]]),
        "gate": "overall metrics; fails when a metric is worse than here by more than its "
                "tolerance (absolute; `default` applies to metrics not listed)",
        "tolerances": previous.get("tolerances", DEFAULT_TOLERANCES),
        "overall": summary["overall"]["metrics"],
        "by_type": {t: g["metrics"] for t, g in summary["by_type"].items()},
        "latency_ms": summary["latency_ms"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    return baseline


def tolerance(baseline: dict[str, Any], metric: str) -> float:
    tolerances = baseline.get("tolerances", DEFAULT_TOLERANCES)
    return float(tolerances.get(metric, tolerances.get("default", DEFAULT_TOLERANCES["default"])))


def compare(baseline: dict[str, Any], overall: dict[str, float | None]) -> list[Delta]:
    """One delta per overall metric the baseline has a value for."""
    return [Delta(m, baseline["overall"][m], overall.get(m), tolerance(baseline, m))
            for m in METRICS if baseline["overall"].get(m) is not None]


def comparable(baseline: dict[str, Any], question_ids: Sequence[str]) -> bool:
    return baseline.get("question_fingerprint") == question_fingerprint(question_ids)


def describe(deltas: Sequence[Delta]) -> str:
    """One line per delta, naming the metric, for gate failures and logs."""
    return "\n".join(
        f"{d.metric}: {d.baseline:.3f} -> {'n/a' if d.current is None else f'{d.current:.3f}'}"
        f" ({'n/a' if d.change is None else f'{d.change:+.3f}'}, tolerance {d.tolerance:.2f})"
        for d in deltas)

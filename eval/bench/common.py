"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import json
import resource
from pathlib import Path

from service.settings import PROJECT_ROOT

RTQA_DEV = PROJECT_ROOT.parent / "shared" / "bench" / "rtqa-dev"
RESULTS_DIR = PROJECT_ROOT / "bench-results"


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_results(name: str, results: dict[str, object], out: Path | None = None) -> Path:
    path = out or RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    return path

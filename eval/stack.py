"""The components an eval runs on: the user's settings with the eval's own data dir,
backend and retrieval options, and an index that holds exactly the eval's corpus.

Evals never touch the user's index: each set or benchmark gets a data dir of its own,
kept between runs so that re-ingesting an unchanged corpus costs nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from eval.errors import EvalInputError
from eval.gold import all_documents
from ingest.pipeline import IngestReport, Progress
from service.assembly import Components
from service.settings import PROJECT_ROOT, Settings

RESULTS_DIR = PROJECT_ROOT / "eval-results"


def eval_settings(base: Settings, data_dir: Path, backend: str) -> Settings:
    """One index per encoder precision under ``data_dir`` (an index keeps the precision it
    was built with), sharing one folder of model files."""
    data_dir = Path(data_dir)
    return base.model_copy(update={"data_dir": data_dir / base.encoder_precision,
                                   "models_dir": base.models_dir or data_dir / "models",
                                   "llm_backend": backend})


def sync_index(components: Components, sources: Sequence[str],
               progress: Callable[[Progress], None] | None = None) -> IngestReport:
    """Ingests ``sources`` and deletes any other document, so that the index is exactly the
    corpus even after articles were removed from it; fails if a source cannot be read,
    because metrics over a partial corpus would mislead."""
    report = components.corpus().indexer.ingest(components.sources.read(list(sources)), progress=progress)
    if report.failed:
        reasons = "; ".join(f"{f.origin}: {f.reason}" for f in report.failed[:5])
        raise EvalInputError(f"{len(report.failed)} corpus source(s) failed to ingest: {reasons}")
    keep = {*report.added, *report.updated, *report.unchanged}
    for doc in all_documents(components.corpus().catalog):
        if doc.doc_id not in keep:
            components.corpus().indexer.delete(doc.doc_id)
    return report

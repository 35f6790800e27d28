"""The ingest bar counts whole documents against the total, whatever fractions come in."""

from __future__ import annotations

import io

from ingest.pipeline import Progress
from service.progress_bar import ingest_bar


def test_fractions_of_documents_add_up_and_show_as_whole_ones() -> None:
    out = io.StringIO()
    with ingest_bar(3, file=out) as on_progress:
        on_progress(Progress(0.25, 8))
        on_progress(Progress(1 / 3, 8))
        on_progress(Progress(2 + 5 / 12, 16))
    shown = out.getvalue()
    assert "0/3 doc" in shown and "3/3 doc" in shown and "chunks=32" in shown
    assert "0.25" not in shown and "0.58" not in shown

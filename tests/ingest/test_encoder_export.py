"""The encoder's ONNX export: made once per model version, kept only when it reproduces the
original model, never left half-written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest import encoder_export
from ingest.embedder import packaged_model_path
from ingest.encoder_export import EncoderExportError, ensure_onnx, onnx_file


def test_export_is_made_once_and_checked(tmp_path: Path) -> None:
    made = ensure_onnx(packaged_model_path(), tmp_path)
    assert made == onnx_file(packaged_model_path(), tmp_path) and made.stat().st_size > 50e6
    assert sorted(p.name for p in tmp_path.iterdir()) == [made.name]
    stamp = made.stat().st_mtime_ns
    assert ensure_onnx(packaged_model_path(), tmp_path) == made
    assert made.stat().st_mtime_ns == stamp


def test_an_export_that_differs_is_refused_and_nothing_is_kept(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real = encoder_export.mean_pooled
    calls: list[int] = []

    def first_call_shifted(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The original model's vectors (pooled first) are moved, the export's are not."""
        calls.append(1)
        return real(hidden + (1.0 if len(calls) == 1 else 0.0), mask)

    monkeypatch.setattr(encoder_export, "mean_pooled", first_call_shifted)
    with pytest.raises(EncoderExportError, match="differs from the original model"):
        ensure_onnx(packaged_model_path(), tmp_path)
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []

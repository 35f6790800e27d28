"""The encoder's ONNX export: made once per model version, kept only when it reproduces the
original model, never left half-written."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from ingest import encoder_export
from ingest.embedder import packaged_model_path
from ingest.encoder_export import EncoderExportError, ensure_onnx, onnx_file


def test_export_is_made_once_and_checked(tmp_path: Path) -> None:
    made = ensure_onnx(packaged_model_path(), tmp_path, "fp32")
    assert made == onnx_file(packaged_model_path(), tmp_path) and made.stat().st_size > 50e6
    assert sorted(p.name for p in tmp_path.iterdir()) == [made.name]
    stamp = made.stat().st_mtime_ns
    assert ensure_onnx(packaged_model_path(), tmp_path, "fp32") == made
    assert made.stat().st_mtime_ns == stamp


def test_int8_file_is_derived_from_the_fp32_export_and_kept_beside_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.INFO)
    quantized = ensure_onnx(packaged_model_path(), tmp_path)
    # A first start says once that it is preparing the encoder, and nothing else.
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("newsqa.encoder", "preparing the encoder (one-time, about 20 s)...")]
    assert capfd.readouterr() == ("", "")
    assert logging.getLogger("onnxscript").level == logging.NOTSET
    full = onnx_file(packaged_model_path(), tmp_path, "fp32")
    assert quantized == onnx_file(packaged_model_path(), tmp_path, "int8") != full
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([full.name, quantized.name])
    assert quantized.stat().st_size < full.stat().st_size / 3


def test_unknown_precision_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown encoder precision 'fp16'"):
        ensure_onnx(packaged_model_path(), tmp_path, "fp16")


def test_an_export_that_differs_is_refused_and_nothing_is_kept(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real = encoder_export.mean_pooled
    calls: list[int] = []

    def first_call_shifted(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The original model's vectors (pooled first) are moved, the export's are not."""
        calls.append(1)
        return real(hidden + (1.0 if len(calls) == 1 else 0.0), mask)

    monkeypatch.setattr(encoder_export, "mean_pooled", first_call_shifted)
    with pytest.raises(EncoderExportError, match="fp32 ONNX export .* differs from the original model"):
        ensure_onnx(packaged_model_path(), tmp_path, "fp32")
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []


def test_a_quantization_that_moves_vectors_too_far_is_refused(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    full = ensure_onnx(packaged_model_path(), tmp_path, "fp32")
    monkeypatch.setitem(encoder_export.MIN_COSINE, "int8", 0.99999)
    with pytest.raises(EncoderExportError, match="int8 ONNX export .* differs"):
        ensure_onnx(packaged_model_path(), tmp_path)
    assert list(tmp_path.iterdir()) == [full]

"""The packaged MiniLM exported once to ONNX, checked against the original, and cached.

On these AVX2 CPUs onnxruntime runs the exported graph 2-3x faster than PyTorch runs the
original, for batches of chunks and for single questions alike. Exporting takes a few seconds
and needs torch, so it happens once per model version into the models folder; every later
process loads the file with onnxruntime alone. A file is kept only after its embeddings
matched PyTorch's on probe texts, so a wrong export can never index a collection.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# The texts the export is checked on: different lengths, so padding is exercised.
PROBES = (
    "Apple picked Alibaba as its AI partner for iPhones sold in China.",
    "The harbour board ordered two electric ferries on Monday; the vessels replace diesel "
    "boats on the island route from 2027 and cost 31 million euros, the board said.",
    "Rates rise.",
)
MIN_COSINE = 0.9999


class EncoderExportError(RuntimeError):
    """The exported encoder did not reproduce the original model's embeddings."""


def onnx_file(model_dir: Path, cache_dir: Path) -> Path:
    """Where the export of ``model_dir`` lives: named after the model's weights and the
    versions of the tools that made it, so an upgrade of either makes a new file."""
    weights = model_dir / "model.safetensors"
    stamp = f"{weights.stat().st_size}:{weights.stat().st_mtime_ns}:{version('torch')}:{version('onnxscript')}"
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return cache_dir / f"{model_dir.name}-{digest}.onnx"


def ensure_onnx(model_dir: Path, cache_dir: Path) -> Path:
    target = onnx_file(model_dir, cache_dir)
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".onnx.part")
    os.close(handle)
    try:
        _export(model_dir, Path(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
        Path(temporary + ".data").unlink(missing_ok=True)
    return target


def _export(model_dir: Path, target: Path) -> None:
    import logging

    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True,
                                      attn_implementation="eager").eval()

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    probe = tokenizer(list(PROBES), padding=True, return_tensors="pt")
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=512)
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with torch.inference_mode():
        expected = mean_pooled(model(**probe).last_hidden_state.numpy(), probe["attention_mask"].numpy())
    # The exporter reports its progress and deprecations on stdout and as warnings; a
    # command's output is for its own results.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(HiddenStates(), tuple(probe[name] for name in INPUTS), str(target),
                          input_names=list(INPUTS), output_names=["last_hidden_state"],
                          dynamic_shapes=({0: batch, 1: length},) * 3, dynamo=True,
                          external_data=False, verbose=False)
    _verify(target, {name: probe[name].numpy() for name in INPUTS}, expected)


def _verify(path: Path, feeds: dict[str, np.ndarray], expected: np.ndarray) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = mean_pooled(session.run(None, feeds)[0], feeds["attention_mask"])
    cosine = float((got * expected).sum(axis=1).min())
    if cosine < MIN_COSINE:
        raise EncoderExportError(f"the ONNX export of {path.name} differs from the original "
                                 f"model (cosine {cosine:.5f} < {MIN_COSINE})")


def mean_pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling and normalisation, as the packaged model's
    modules.json declares them."""
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

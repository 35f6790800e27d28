"""The packaged MiniLM exported once to ONNX, checked against the original, and cached.

Exporting takes a few seconds and needs torch, so it happens once per model version into the
models folder; every later process loads the file with onnxruntime alone. The ``int8`` file
is that export with its weights quantized per output channel: on these 2-core AVX2 machines
it encodes chunks 1.55x faster and questions 1.8x faster than the full-precision graph, at a
mean cosine of 0.993 to its vectors. A file is kept only after its embeddings matched the
original's on probe texts, so a wrong export can never index a collection.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tempfile
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ingest.onnx_session import cpu_session, token_feeds

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# The texts the export is checked on: different lengths, so padding is exercised.
PROBES = (
    "Apple picked Alibaba as its AI partner for iPhones sold in China.",
    "The harbour board ordered two electric ferries on Monday; the vessels replace diesel "
    "boats on the island route from 2027 and cost 31 million euros, the board said.",
    "Rates rise.",
)
PRECISIONS = ("int8", "fp32")
# The full-precision export must reproduce PyTorch; quantization may move a vector a little.
MIN_COSINE = {"fp32": 0.9999, "int8": 0.98}
# The exporter's loggers narrate every graph pass at INFO: 68 lines on a first start that
# say nothing to whoever started the service.
EXPORT_LOGGERS = ("onnxscript", "onnx_ir", "torch.onnx")

log = logging.getLogger("newsqa.encoder")


class EncoderExportError(RuntimeError):
    """The exported encoder did not reproduce the original model's embeddings."""


def onnx_file(model_dir: Path, cache_dir: Path, precision: str = "fp32") -> Path:
    """Where the export of ``model_dir`` lives: named after the model's weights and the
    versions of the tools that made it, so an upgrade of either makes a new file."""
    weights = model_dir / "model.safetensors"
    stamp = f"{weights.stat().st_size}:{weights.stat().st_mtime_ns}:{version('torch')}:{version('onnxscript')}"
    suffix = ""
    if precision == "int8":
        stamp += f":int8:{version('onnxruntime')}"
        suffix = "-int8"
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return cache_dir / f"{model_dir.name}-{digest}{suffix}.onnx"


def ensure_onnx(model_dir: Path, cache_dir: Path, precision: str = "int8") -> Path:
    """The verified ONNX file of ``model_dir`` at ``precision`` (``int8`` or ``fp32``),
    made on first use; the int8 file is derived from the fp32 one."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown encoder precision {precision!r}; choose one of: "
                         f"{', '.join(PRECISIONS)}")
    target = onnx_file(model_dir, cache_dir, precision)
    if target.exists():
        return target
    log.info("preparing the encoder (one-time, about 20 s)...")
    full = onnx_file(model_dir, cache_dir, "fp32")
    if not full.exists():
        _write_atomically(full, lambda part: _export(model_dir, part))
    if precision == "int8":
        _write_atomically(target, lambda part: _quantize(model_dir, full, part))
    return target


@contextlib.contextmanager
def _quieted(names: tuple[str, ...], level: int) -> Iterator[None]:
    """Raises the named loggers to ``level`` for a while, then gives them back their own."""
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, old in zip(loggers, before):
            logger.setLevel(old)


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """A killed process leaves a ``.part`` file behind, never a half-written model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.part")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
        Path(temporary + ".data").unlink(missing_ok=True)


def _probe_feeds(model_dir: Path) -> dict[str, np.ndarray]:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return token_feeds(tokenizer.encode_batch(list(PROBES)))


def _quantize(model_dir: Path, full: Path, target: Path) -> None:
    """Dynamic int8 quantization of the weights, one scale per output channel: one scale
    per matrix moved vectors to a cosine of 0.93-0.95, per channel keeps them above 0.98."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # It advises, on the root logger, a preprocessing step this model needs not.
    with _quieted(("root",), logging.ERROR):
        quantize_dynamic(str(full), str(target), weight_type=QuantType.QInt8, per_channel=True)
    feeds = _probe_feeds(model_dir)
    _verify(target, feeds, _run(full, feeds), "int8")


def _export(model_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

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

    feeds = _probe_feeds(model_dir)
    probe = {name: torch.from_numpy(feeds[name]) for name in INPUTS}
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=512)
    with torch.inference_mode():
        expected = mean_pooled(model(**probe).last_hidden_state.numpy(), feeds["attention_mask"])
    # The exporter reports its progress and deprecations on stdout, as warnings and in its
    # loggers; a command's output is for its own results. Its loggers are quieted only
    # now: importing torch sets their levels.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            _quieted(EXPORT_LOGGERS, logging.ERROR):
        warnings.simplefilter("ignore")
        torch.onnx.export(HiddenStates(), tuple(probe[name] for name in INPUTS), str(target),
                          input_names=list(INPUTS), output_names=["last_hidden_state"],
                          dynamic_shapes=({0: batch, 1: length},) * 3, dynamo=True,
                          external_data=False, verbose=False)
    _verify(target, feeds, expected, "fp32")


def _run(path: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    return mean_pooled(cpu_session(path).run(None, feeds)[0], feeds["attention_mask"])


def _verify(path: Path, feeds: dict[str, np.ndarray], expected: np.ndarray, precision: str) -> None:
    cosine = float((_run(path, feeds) * expected).sum(axis=1).min())
    if cosine < MIN_COSINE[precision]:
        raise EncoderExportError(f"the {precision} ONNX export of {path.name} differs from the "
                                 f"original model (cosine {cosine:.5f} < {MIN_COSINE[precision]})")


def mean_pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling and normalisation, as the packaged model's
    modules.json declares them."""
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

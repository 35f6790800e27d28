"""int8 products are exact on every CPU, so scores and the gates built on them do not
depend on the machine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ingest.onnx_session import cpu_session, exact_int8_products

DEPTH = 64


def _matmul_integer(path: Path, weights: np.ndarray) -> Path:
    """uint8 activations times int8 weights, as in both packaged models' dynamic quantization."""
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "w"], ["y"])], "int8-product",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [1, DEPTH])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [1, weights.shape[1]])],
        [numpy_helper.from_array(weights, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_products_that_overflow_16_bits_come_out_exact(tmp_path: Path) -> None:
    """255 x 127 twice is 64,770: a kernel that adds neighbouring products in saturating
    16-bit arithmetic returns 32,767 per pair instead."""
    rng = np.random.default_rng(7)
    weights = np.concatenate([np.full((DEPTH, 1), 127), rng.integers(-128, 128, (DEPTH, 7))],
                             axis=1).astype(np.int8)
    activations = np.concatenate([np.full((1, DEPTH // 2), 255),
                                  rng.integers(0, 256, (1, DEPTH // 2))], axis=1).astype(np.uint8)
    session = cpu_session(_matmul_integer(tmp_path / "product.onnx", weights))
    (product,) = session.run(None, {"a": activations})
    expected = activations.astype(np.int64) @ weights.astype(np.int64)
    assert product.tolist() == expected.tolist()


def test_vnni_cpus_are_recognised_by_their_flags(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n")
    assert exact_int8_products(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n")
    assert not exact_int8_products(cpuinfo)
    assert not exact_int8_products(tmp_path / "missing")

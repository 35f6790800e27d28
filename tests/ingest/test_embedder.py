"""The ONNX encoder against the packaged model run by sentence-transformers: the same vectors
in full precision and close ones in int8, the same token counts, truncation at the model's
window, order kept across length-sorted batches."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from ingest.embedder import Embedder, packaged_model_path

TEXTS = [
    "Rates rise.",
    "Apple picked Alibaba as its AI partner for iPhones sold in China, after passing on Baidu.",
    "The council approved 40 new bus shelters. " * 60,  # far beyond the 256-token window
    "Café owners in Zürich said the new rules — announced on 3 March — were “unworkable”.",
    "",
]


@pytest.fixture(scope="module")
def reference() -> SentenceTransformer:
    return SentenceTransformer(str(packaged_model_path()), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def full_precision() -> Embedder:
    return Embedder(packaged_model_path(), Path(os.environ["NEWSQA_MODELS_DIR"]), precision="fp32")


def _agreement(embedder: Embedder, reference: SentenceTransformer) -> np.ndarray:
    """Cosine to the original model per text, then for one text embedded as a question."""
    ours = np.array(embedder.embed_documents(TEXTS))
    theirs = reference.encode(TEXTS, normalize_embeddings=True)
    assert ours.shape == (len(TEXTS), 384) == theirs.shape
    query = np.array(embedder.embed_query(TEXTS[1]))
    return np.append((ours * theirs).sum(axis=1), query @ theirs[1])


def test_fp32_vectors_match_the_original_model(full_precision: Embedder,
                                               reference: SentenceTransformer) -> None:
    assert _agreement(full_precision, reference).min() > 0.9999


def test_int8_vectors_stay_close_to_the_original_model(embedder: Embedder,
                                                       reference: SentenceTransformer) -> None:
    """The empty text (special tokens only) moves most: quantization error has no words
    to average over."""
    cosines = _agreement(embedder, reference)
    empty = TEXTS.index("")
    assert np.delete(cosines, empty).min() > 0.98 and cosines[empty] > 0.95


def test_batches_keep_the_callers_order(embedder: Embedder) -> None:
    """int8 activations are scaled per batch, so a text's vector moves a little with its
    batch mates; the order check needs each text far closer to itself than to the others."""
    one_by_one = np.array([embedder.embed_query(t) for t in TEXTS[:4]])
    small_batches = Embedder.__new__(Embedder)
    small_batches.__dict__.update(embedder.__dict__, batch_size=2)
    together = np.array(small_batches.embed_documents(TEXTS[:4]))
    similarity = one_by_one @ together.T
    assert (similarity.diagonal() > 0.98).all()
    assert (similarity.argmax(axis=1) == np.arange(4)).all()


def test_token_counts_match_the_models_tokenizer(embedder: Embedder, reference: SentenceTransformer) -> None:
    expected = [len(ids) for ids in reference.tokenizer(TEXTS, add_special_tokens=False)["input_ids"]]
    assert embedder.count_tokens(TEXTS) == expected
    assert expected[2] > embedder.max_tokens == 254


def test_encoded_counts_every_text(embedder: Embedder) -> None:
    before = embedder.encoded
    embedder.embed_documents(TEXTS[:3])
    embedder.embed_query("x")
    assert embedder.encoded == before + 4
    assert embedder.embed_documents([]) == []

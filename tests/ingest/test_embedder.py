"""The ONNX encoder against the packaged model run by sentence-transformers: same vectors,
same token counts, truncation at the model's window, order kept across length-sorted batches."""

from __future__ import annotations

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


def test_vectors_match_the_original_model(embedder: Embedder, reference: SentenceTransformer) -> None:
    ours = np.array(embedder.embed_documents(TEXTS))
    theirs = reference.encode(TEXTS, normalize_embeddings=True)
    assert ours.shape == (len(TEXTS), 384) == theirs.shape
    assert (ours * theirs).sum(axis=1).min() > 0.9999
    query = np.array(embedder.embed_query(TEXTS[1]))
    assert float(query @ theirs[1]) > 0.9999


def test_batches_keep_the_callers_order(embedder: Embedder) -> None:
    one_by_one = [embedder.embed_query(t) for t in TEXTS[:4]]
    small_batches = Embedder.__new__(Embedder)
    small_batches.__dict__.update(embedder.__dict__, batch_size=2)
    together = small_batches.embed_documents(TEXTS[:4])
    for single, batched in zip(one_by_one, together):
        assert float(np.dot(single, batched)) > 0.9999


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

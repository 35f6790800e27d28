"""A Chroma collection remembers the encoder that filled it and refuses any other."""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest

from ingest.store.vectors import EncoderMismatchError, VectorStore
from service import cli

INT8 = "all-MiniLM-L6-v2/int8"
FP32 = "all-MiniLM-L6-v2/fp32"


def test_the_same_encoder_reopens_its_collection(tmp_path: Path) -> None:
    VectorStore.embedded(tmp_path, "news_chunks", INT8).upsert(
        ["a"], [[1.0, 0.0]], [{"doc_id": "d", "content_hash": "h"}])
    assert VectorStore.embedded(tmp_path, "news_chunks", INT8).count() == 1


def test_another_encoder_is_refused_with_the_remedy(tmp_path: Path) -> None:
    VectorStore.embedded(tmp_path, "news_chunks", FP32)
    with pytest.raises(EncoderMismatchError) as refused:
        VectorStore.embedded(tmp_path, "news_chunks", INT8)
    message = str(refused.value)
    assert FP32 in message and INT8 in message and "NEWSQA_ENCODER_PRECISION=fp32" in message
    assert VectorStore.embedded(tmp_path, "other_chunks", INT8).count() == 0


def test_a_collection_without_a_recorded_encoder_holds_fp32_vectors(tmp_path: Path) -> None:
    """Indexes made before the encoder was recorded were all built in full precision."""
    client = chromadb.PersistentClient(path=str(tmp_path), settings=chromadb.Settings(
        anonymized_telemetry=False))
    client.get_or_create_collection("news_chunks", metadata={"hnsw:space": "cosine"})
    assert VectorStore.embedded(tmp_path, "news_chunks", FP32).count() == 0
    with pytest.raises(EncoderMismatchError):
        VectorStore.embedded(tmp_path, "news_chunks", INT8)


def test_the_cli_names_the_mismatch_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NEWSQA_ENCODER_PRECISION", "fp32")
    assert cli.main(["stats"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("NEWSQA_ENCODER_PRECISION", "int8")
    assert cli.main(["stats"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: collection 'news_chunks' was built with the encoder "
                          "all-MiniLM-L6-v2/fp32") and "\n" not in err

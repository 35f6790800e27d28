"""Shared fixtures: real stores in a temporary data dir, the packaged embedder loaded once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from ingest.embedder import Embedder, packaged_model_path  # noqa: E402
from service.assembly import Components  # noqa: E402
from service.settings import Settings  # noqa: E402

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "ingest" / "sample_corpus"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(packaged_model_path(), batch_size=32)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)


@pytest.fixture
def components(settings: Settings, embedder: Embedder) -> Components:
    built = Components(settings)
    built.embedder = embedder
    return built

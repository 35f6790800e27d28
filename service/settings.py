"""All configuration in one place; every field can be overridden by ``NEWSQA_<FIELD>``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSQA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Indexes, catalog and assembled model files.")
    collection: str = Field("news_chunks", min_length=3, max_length=512,
                            description="Chroma collection name.")
    chroma_mode: Literal["embedded", "server"] = Field(
        "embedded", description="`embedded`: Chroma files under the data dir; `server`: `chroma run`.")
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8001

    embed_batch_size: int = Field(32, ge=1, description="Texts per encoder batch.")
    torch_threads: int = Field(0, ge=0, description="Encoder threads; 0 lets torch decide.")
    chunk_target_tokens: int = Field(240, ge=32, description="Preferred chunk size in word pieces.")
    chunk_overlap_tokens: int = Field(32, ge=0, description="Longest sentence repeated across a chunk boundary.")
    ingest_batch_chunks: int = Field(256, ge=1, description="Chunks embedded and written per batch.")

    max_file_mb: float = Field(10.0, gt=0, description="Files above this size are skipped.")
    fetch_timeout_s: float = Field(15.0, gt=0, description="Timeout for fetching a URL.")
    fetch_max_mb: float = Field(10.0, gt=0, description="Largest page or feed fetched.")
    json_fields: str = Field("", description="Field names of JSON exports, e.g. `text=body,published=date`.")

    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sample_corpus_dir(self) -> Path:
        return PROJECT_ROOT / "ingest" / "sample_corpus"

    @property
    def prompts_dir(self) -> Path:
        return PROJECT_ROOT / "prompts"

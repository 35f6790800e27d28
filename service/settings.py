"""All configuration in one place; every field can be overridden by ``NEWSQA_<FIELD>``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.store.collection_registry import DEFAULT_COLLECTION, NAME_PATTERN

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSQA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Indexes, catalog and assembled model files.")
    models_dir: Path | None = Field(None, description="Assembled and exported model files; unset: `<data_dir>/models`.")
    collection: str = Field("news_chunks", min_length=3, max_length=400,
                            description="Chroma collection of the `default` collection; another collection NAME keeps its vectors in `<this>-NAME`.")
    default_collection: str = Field(DEFAULT_COLLECTION, pattern=f"^{NAME_PATTERN}$",
                                    description="Collection that requests without `collection` (and the model name `newsqa`) read, and that commands without `--collection` use.")
    chroma_mode: Literal["embedded", "server"] = Field(
        "embedded", description="`embedded`: Chroma files under the data dir; `server`: `chroma run`.")
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8001
    catalog_url: SecretStr | None = Field(
        None, description="`postgresql://…` to share the catalog and lexical index between workers and hosts; unset: SQLite in the data dir.")

    embed_batch_size: int = Field(32, ge=1, description="Texts per encoder batch.")
    encoder_threads: int = Field(0, ge=0, description="Threads of the encoder per batch, and reranker pairs scored side by side; 0: all cores.")
    query_threads: int = Field(1, ge=1, description="Encoder threads per question; concurrent questions run side by side.")
    encoder_precision: Literal["int8", "fp32"] = Field(
        "int8", description="Encoder weights: `int8` (1.55x faster ingest) or `fp32`; an index keeps the precision it was built with.")
    chunk_target_tokens: int = Field(240, ge=32, description="Preferred chunk size in word pieces.")
    chunk_overlap_tokens: int = Field(32, ge=0, description="Longest sentence repeated across a chunk boundary.")
    ingest_batch_chunks: int = Field(512, ge=1, description="Chunks embedded and written per batch.")

    max_file_mb: float = Field(32.0, gt=0, description="Files above this size are skipped.")
    fetch_timeout_s: float = Field(15.0, gt=0, description="Timeout for fetching a URL.")
    fetch_max_mb: float = Field(10.0, gt=0, description="Largest page or feed fetched.")
    dates_from_urls: bool = Field(True, description="Date an article without a date in its metadata by the day in its URL path (`/2023/01/05/`, a slug ending `-5-january-2023`) before its text, so `as_of` and date filters include it; takes effect on re-ingest.")
    as_of_undated: Literal["exclude", "ingested", "include"] = Field(
        "ingested", description="Which articles without any date `as_of` admits: those ingested by its day, which cannot have been published later (`ingested`), none (`exclude`) or all (`include`); explicit date filters and relative windows admit none.")
    feeds_poll: bool = Field(True, description="Poll the watched feeds in the background while `newsqa serve` runs.")
    feed_interval_s: int = Field(900, ge=1, description="Interval of a feed added without one (`--every`).")
    feed_min_interval_s: int = Field(60, ge=1, description="Shortest interval a feed may be polled at.")
    feed_timeout_s: float = Field(15.0, gt=0, description="Timeout of one feed download, and of each linked page it needs.")
    feed_max_mb: float = Field(5.0, gt=0, description="Largest feed body read; a larger one is an error of that poll.")
    feed_backoff_max_s: float = Field(21600.0, gt=0, description="Longest wait after failed polls (each failure in a row doubles it, from twice the interval).")
    feed_lease_s: float = Field(900.0, gt=0, description="How long a worker holds a feed while polling it; others skip it until the poll ends or this passes.")
    feed_tick_s: float = Field(5.0, gt=0, description="How often a serving process looks for due feeds.")
    json_fields: str = Field("", description="Field names of JSON exports, e.g. `text=body,published=date`.")

    retrieval_mode: Literal["dense", "hybrid"] = Field("hybrid", description="`dense` or `hybrid` (dense + BM25, rank-fused).")
    search_concurrency: int = Field(0, ge=0, description="Searches and sentence rankings run at once per process, the rest wait their turn in order; 0: one per core.")
    malloc_arenas: int = Field(2, ge=0, description="glibc malloc arenas of a serving process; each request thread otherwise keeps its own freed memory; 0: glibc's default.")
    malloc_mmap_threshold_kb: int = Field(1024, ge=0, description="Blocks of this size and more are mapped and returned to the system on free; 0: glibc's sliding threshold.")
    cached_vectors: int = Field(50_000, ge=0, description="Chunk vectors held in memory for exact search under narrow filters (about 1.6 kB each); 0: none.")
    exact_search_chunks: int = Field(5_000, ge=0, description="A filter that keeps at most this many chunks is searched exactly among them (their vectors read once, then held in `cached_vectors`) instead of through the vector index; 0: never.")
    rerank: bool = Field(True, description="Rerank fused candidates with the packaged cross-encoder.")
    rerank_candidates: int = Field(15, ge=1, description="Fused candidates the cross-encoder scores.")
    retrieval_candidates: int = Field(30, ge=1, description="Candidates taken from each store.")
    recent_lane_days: int = Field(
        3, ge=0, description="Under a date bound (`as_of`, `date_to`), the articles of its last N days get rerank candidates of their own, so that an archive cannot crowd out this week's reports; 0: off.")
    newer_first_margin: float = Field(
        2.5, ge=0, description="Reranked passages from a later article that score within this many logits of the best one lead the list (the latest report first); 0: pure relevance order.")
    age_prior_weight: float = Field(
        0.5, ge=0, description="Reranked passages lose this many logits per doubling of 1 + their age / `age_prior_days`, counted back from `as_of` (else today), unless the question names a year: this week's report leads last year's; 0: off.")
    age_prior_days: float = Field(3.0, gt=0, description="Age scale of the age prior, in days.")
    rerank_max_tokens: int = Field(192, ge=32, description="Word pieces of each pair the cross-encoder reads.")
    min_rerank_logit: float = Field(-4.0, description="Refuse when the best reranked passage scores below this.")
    min_dense_similarity: float = Field(0.45, description="Refuse below this cosine when reranking is off.")
    min_citation_support: float = Field(0.5, ge=0, le=1, description="Share of a sentence's words its quote must contain.")
    min_citation_restated_support: float = Field(
        0.2, ge=0, le=1, description="The same share when the quote holds every word the sentence adds to the question (the rest restates the question in other words).")
    min_subject_share: float = Field(
        0.45, ge=0, le=1, description="Share of the question's words, weighted by their rarity in the collection, that the articles an answer cites must hold (articles of 100 words or more); below it the answer is withheld as off scope; 0: off.")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected with 422.")

    llm_backend: Literal["local", "openai", "extractive"] = Field(
        "local", description="`local` (packaged GGUF via llama.cpp), `openai` (any compatible server) or `extractive` (no LLM).")
    local_model: str = Field("qwen2.5-coder-1.5b", description="Packaged model for the `local` backend.")
    llm_threads: int = Field(0, ge=0, description="llama.cpp threads; 0 uses the free cores.")
    llm_context: int = Field(4096, ge=512, description="llama.cpp context window (tokens).")
    llm_parallel: int = Field(1, ge=1, description="Requests llama.cpp decodes at once.")
    llm_first_token_target_s: float = Field(
        3.0, gt=0, description="Time the model may spend reading its prompt before the first token; the evidence it is shown follows from this and the reading speed measured on the machine.")
    llm_evidence_tokens: int = Field(0, ge=0, description="Word pieces of passage sentences in an LLM prompt (the best one always goes in); 0: what the model reads within `llm_first_token_target_s`.")
    llm_evidence_min_tokens: int = Field(100, ge=16, description="Fewest word pieces of evidence a prompt carries however slowly the model reads (the first token then comes later than the target).")
    llm_evidence_max_tokens: int = Field(600, ge=16, description="Most word pieces of evidence a prompt carries however fast the model reads.")
    llm_min_passage_logit: float = Field(-5.0, description="Leave passages the reranker scores below this out of an LLM prompt (the best one always goes in).")
    llm_max_tokens: int = Field(160, ge=8, description="Longest generated answer (tokens).")
    llm_timeout_s: float = Field(120.0, gt=0, description="Timeout of one LLM call.")
    openai_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server (…/v1).")
    openai_api_key: str | None = Field(None, description="Key for that server; defaults to OPENAI_API_KEY.")
    openai_model: str | None = Field(None, description="Model name on that server.")

    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: SecretStr = Field(SecretStr(""), description="JSON object: key -> scopes, or -> {scopes, origins}.")
    api_keys_file: Path | None = Field(None, description="File of keys: the same JSON, or `key scope,scope [origins]` lines.")
    rate_limit_per_minute: float = Field(120.0, ge=0, description="Requests per minute per key and per client address; 0: off.")
    rate_limit_burst: int = Field(20, ge=1, description="Requests allowed at once before the per-minute rate applies.")
    max_body_mb: float = Field(40.0, gt=0, description="Larger request bodies get 413; keep it above max_file_mb.")
    service_wait_s: float = Field(600.0, gt=0, description="How long `newsqa ingest` and `docs delete` wait for the service that holds the data dir to be ready, before giving up.")
    llm_queue_size: int = Field(4, ge=0, description="Requests that may wait for the LLM; more get 503.")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_format: Literal["json", "text"] = Field("json", description="`json`: one object per line; `text`: for people.")
    cors_origins: list[str] = Field(
        ["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Origins whose pages may call the API from a browser (the chat widget), as a JSON list.")

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def model_files_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @property
    def sample_corpus_dir(self) -> Path:
        return PROJECT_ROOT / "ingest" / "sample_corpus"

    @property
    def prompts_dir(self) -> Path:
        return PROJECT_ROOT / "prompts"

"""Ingest benchmark: our indexer against the raw encoder and a plain LangChain pipeline,
on the same articles in the same process.

    python -m eval.bench.ingest_bench [--articles PATH] [--limit N] [--skip-langchain]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from eval.bench.common import RTQA_DEV, peak_rss_mb, write_results
from ingest.embedder import Embedder, packaged_model_path
from service.assembly import Components
from service.settings import Settings


class RecordingEmbedder(Embedder):
    """The real embedder, remembering the texts it encoded so the raw encoder can be timed
    on exactly the same input."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.texts: list[str] = []

    def embed_documents(self, texts: Sequence[str],
                        on_batch: Callable[[Sequence[int]], None] | None = None) -> list[list[float]]:
        self.texts.extend(texts)
        return super().embed_documents(texts, on_batch)


def _limited_copy(articles: Path, limit: int | None, workdir: Path) -> Path:
    if not limit:
        return articles
    copy = workdir / articles.name
    with articles.open() as src, copy.open("w") as dst:
        for i, line in enumerate(src):
            if i >= limit:
                break
            dst.write(line)
    return copy


def bench_ours(articles: Path, workdir: Path, batch_size: int) -> tuple[dict[str, float], RecordingEmbedder]:
    components = Components(Settings(data_dir=workdir / "ours", embed_batch_size=batch_size,
                                     _env_file=None))
    embedder = RecordingEmbedder(packaged_model_path(), components.settings.model_files_dir,
                                 batch_size=batch_size)
    components.embedder = embedder
    started = time.perf_counter()
    report = components.corpus().indexer.ingest(components.sources.read([str(articles)]))
    first = time.perf_counter() - started
    docs = len(report.added)
    if not docs:
        reasons = "; ".join(f"{f.origin}: {f.reason}" for f in report.failed[:5])
        raise SystemExit(f"nothing was ingested ({reasons or 'no articles found'})")
    started = time.perf_counter()
    again = components.corpus().indexer.ingest(components.sources.read([str(articles)]))
    second = time.perf_counter() - started
    assert len(again.unchanged) == docs, "re-ingest of unchanged articles changed something"
    return {
        "documents": docs, "failed": len(report.failed), "chunks": report.chunks,
        "seconds": first, "docs_per_s": docs / first, "chunks_per_s": report.chunks / first,
        "reingest_seconds": second, "reingest_fraction": second / first,
        "peak_rss_mb": peak_rss_mb(),
    }, embedder


def bench_raw_encoder(embedder: RecordingEmbedder) -> dict[str, float]:
    texts = list(embedder.texts)
    started = time.perf_counter()
    Embedder.embed_documents(embedder, texts)
    seconds = time.perf_counter() - started
    return {"chunks": len(texts), "seconds": seconds, "chunks_per_s": len(texts) / seconds}


def bench_langchain(articles: Path, workdir: Path, batch_size: int) -> dict[str, float]:
    """What a user would write with LangChain's defaults: 1000/200 character chunks,
    HuggingFaceEmbeddings on the same packaged model, ``Chroma.from_documents``."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    embeddings = HuggingFaceEmbeddings(model_name=str(packaged_model_path()),
                                       encode_kwargs={"batch_size": batch_size,
                                                      "normalize_embeddings": True})
    embeddings.embed_query("warm up")
    started = time.perf_counter()
    with articles.open() as src:
        rows = [json.loads(line) for line in src if line.strip()]
    docs = [Document(page_content=r["text"], metadata={"id": r["id"], "title": r["title"]})
            for r in rows if r.get("text")]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    Chroma.from_documents(chunks, embeddings, persist_directory=str(workdir / "langchain"))
    seconds = time.perf_counter() - started
    return {"documents": len(docs), "chunks": len(chunks), "seconds": seconds,
            "docs_per_s": len(docs) / seconds, "chunks_per_s": len(chunks) / seconds}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=RTQA_DEV / "articles.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N articles")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--skip-langchain", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="newsqa-bench-") as tmp:
        workdir = Path(tmp)
        articles = _limited_copy(args.articles, args.limit, workdir)
        ours, embedder = bench_ours(articles, workdir, args.batch_size)
        print(f"ours: {ours['documents']} docs, {ours['chunks']} chunks in {ours['seconds']:.1f} s "
              f"= {ours['docs_per_s']:.2f} docs/s, {ours['chunks_per_s']:.2f} chunks/s; "
              f"peak RSS {ours['peak_rss_mb']:.0f} MB")
        print(f"unchanged re-ingest: {ours['reingest_seconds']:.2f} s "
              f"({100 * ours['reingest_fraction']:.2f}% of the first ingest)")
        raw = bench_raw_encoder(embedder)
        ratio = ours["chunks_per_s"] / raw["chunks_per_s"]
        print(f"raw encoder on the same {raw['chunks']} texts: {raw['chunks_per_s']:.2f} chunks/s; "
              f"pipeline/raw = {ratio:.3f}")
        results: dict[str, object] = {"ours": ours, "raw_encoder": raw, "pipeline_to_raw": ratio}
        if not args.skip_langchain:
            lc = bench_langchain(articles, workdir, args.batch_size)
            speedup = ours["docs_per_s"] / lc["docs_per_s"]
            print(f"plain LangChain: {lc['documents']} docs, {lc['chunks']} chunks in "
                  f"{lc['seconds']:.1f} s = {lc['docs_per_s']:.2f} docs/s; ours/LangChain = {speedup:.2f}x")
            results.update(langchain=lc, ours_to_langchain=speedup)
    print(f"results: {write_results('ingest', results, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

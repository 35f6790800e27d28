"""The peer benchmark's pieces on a tiny benchmark written here: the real splitter, packaged
embedder and Chroma, a scripted chat model; checks that its replies are scored by the
eval's metrics, that "I don't know" counts as a refusal, that the date filter bounds what
is retrieved, and that the side by side reads a product ``result.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import FakeListChatModel

from eval.bench import peer_bench
from eval.benchmark import bench_items, load_benchmark
from eval.runner import EvalItem
from service.answering.prompts import PromptLibrary
from service.settings import Settings

FILLER = " ".join(f"Sentence {i} of the city council minutes says little of note." for i in range(40))
ARTICLES = [
    {"id": "a-bills", "url": "https://example.com/2023/01/05/hamlin", "title": "Hamlin update",
     "published": "2023-01-05", "source": "example.com",
     "text": "Damar Hamlin of the Buffalo Bills is breathing on his own, the team said on Thursday. " + FILLER},
    {"id": "a-sesame", "url": "https://example.com/2023/01/04/sesame", "title": "Sesame allergen",
     "published": "2023-01-04", "source": "example.com",
     "text": "The FDA added sesame seeds to its list of major food allergens this year. " + FILLER},
    {"id": "a-later", "url": "https://example.com/2023/02/20/hamlin", "title": "Hamlin returns",
     "published": "2023-02-20", "source": "example.com",
     "text": "Damar Hamlin visited the Buffalo Bills training facility in February. " + FILLER},
    {"id": "a-undated", "url": "https://example.com/hamlin", "title": "Hamlin profile",
     "published": None, "source": "example.com",
     "text": "A profile of Damar Hamlin, the Buffalo Bills safety, and his charity. " + FILLER},
]
QUESTIONS = [
    {"id": "q-bills", "question": "Damar Hamlin plays for which NFL team?", "answer": "Buffalo Bills",
     "choices": ["Buffalo Bills", "Cincinnati Bengals"], "date": "2023-01-05",
     "evidence_id": "a-bills", "answerable": True},
    {"id": "q-sesame", "question": "Which seed did the FDA add to its list of major allergens?",
     "answer": "Sesame seeds", "choices": ["Chia seeds", "Sesame seeds"], "date": "2023-01-05",
     "evidence_id": "a-sesame", "answerable": True},
    {"id": "q-late", "question": "Who won the city council vote in March?", "answer": "", "choices": [],
     "date": "2023-03-30", "evidence_id": "", "answerable": False},
]
REPLIES = ["Damar Hamlin plays for the Buffalo Bills.", "I don't know.",
           "I don't know, the context does not say."]


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-bench")
    for name, rows in (("articles.jsonl", ARTICLES), ("questions.jsonl", QUESTIONS)):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def index(bench_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, float], Path]:
    persist = tmp_path_factory.mktemp("peer-index") / "chroma"
    store, stats = peer_bench.build_index(peer_bench.read_documents(bench_dir / "articles.jsonl"),
                                          peer_bench.peer_embeddings(), persist)
    return store, stats, persist


@pytest.fixture(scope="module")
def items(bench_dir: Path) -> list[EvalItem]:
    ids = peer_bench.ArticleIds(bench_dir / "articles.jsonl")
    return bench_items(load_benchmark(bench_dir), ids)  # type: ignore[arg-type]


def _chain(store: Any, date_filter: bool = False) -> peer_bench.PeerChain:
    return peer_bench.PeerChain(store, FakeListChatModel(responses=REPLIES),
                                peer_bench.peer_prompt(PromptLibrary(Settings().prompts_dir)), date_filter)


def test_replies_are_scored_by_the_eval_metrics_and_i_dont_know_is_a_refusal(
        index: tuple[Any, dict[str, float], Path], items: list[EvalItem]) -> None:
    store, stats, _ = index
    assert stats["documents"] == 4 and stats["chunks"] > 4  # ~2.5k characters split at 1,000
    results = {r.id: r for r in peer_bench.run(_chain(store), items)}

    bills, sesame, late = results["q-bills"], results["q-sesame"], results["q-late"]
    assert not bills.refused and bills.scores["answer_correct"] == 1.0
    assert bills.scores["choice_correct"] == 1.0 and bills.scores["answer_bearing@4"] == 1.0
    assert sesame.refused and sesame.refusal == peer_bench.PEER_REFUSAL
    assert sesame.scores["false_refusal_rate"] == 1.0 and sesame.scores["answer_correct"] == 0.0
    assert sesame.scores["recall@5"] == 1.0  # retrieval found it; the reply declined
    assert late.refused and late.scores["refusal_accuracy"] == 1.0
    assert bills.scores["citation_recall"] is None  # the plain chain cites nothing
    assert {"retrieve", "first_token", "generate", "total"} <= set(bills.timings_ms)

    summary = peer_bench.side_summary([r.as_dict() for r in results.values()])
    assert summary["rates"]["answer_correct"] == {"value": 0.5, "sum": 1.0, "n": 2}
    assert summary["rates"]["refusal_accuracy"]["value"] == 1.0
    assert summary["rates"]["false_refusal_rate"]["value"] == 0.5
    assert summary["latency_s"]["first_token"]["n"] == 3


def test_the_date_filter_admits_only_articles_published_by_the_question_date(
        index: tuple[Any, dict[str, float], Path], items: list[EvalItem]) -> None:
    store, _, persist = index
    reopened = peer_bench.open_index(peer_bench.peer_embeddings(), persist)  # what --skip-index uses
    question = items[0]
    plain = _chain(reopened).answer(question)
    dated = _chain(reopened, date_filter=True).answer(question)
    assert {"a-later", "a-undated"} & set(plain.retrieved_doc_ids)
    assert set(dated.retrieved_doc_ids) <= {"a-bills", "a-sesame"}


def test_a_missing_peer_index_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="without --skip-index"):
        peer_bench.open_index(peer_bench.peer_embeddings(), tmp_path / "none")


def test_the_side_by_side_reads_the_product_result_on_the_shared_questions(tmp_path: Path) -> None:
    def record(qid: str, correct: float | None, refused: float | None, first_token_ms: float) -> dict[str, Any]:
        scores = {"answer_correct": correct, "refusal_accuracy": refused, "answer_in_index": 1.0}
        return {"id": qid, "scores": scores, "timings_ms": {"rerank": 500.0, "first_token": first_token_ms,
                                                             "generate": 2000.0, "total": 3000.0}}

    peer = [record("a", 1.0, None, 4000.0), record("b", 0.0, None, 4000.0), record("u", None, 0.0, 4000.0)]
    product = [record("a", 1.0, None, 1000.0), record("b", 1.0, None, 1000.0), record("u", None, 1.0, 1000.0),
               record("extra", 1.0, None, 1000.0)]
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"questions": product}), encoding="utf-8")

    ours_questions, missing = peer_bench.load_ours(path, ["a", "b", "u", "not-run"])
    assert [q["id"] for q in ours_questions] == ["a", "b", "u"] and missing == ["not-run"]
    ours, theirs = peer_bench.side_summary(ours_questions), peer_bench.side_summary(peer)
    ratios = peer_bench.compare(theirs, ours)
    assert ratios["answer_correct"] == 2.0 and ratios["refusal_accuracy"] is None  # the peer refused none
    assert ratios["first_token_p50"] == 0.25
    assert ours["latency_s"]["to_first_token"]["p50"] == 1.5  # rerank 0.5 s + first token 1 s
    share = peer_bench.in_index_share(peer, ours_questions)
    assert share["peer"]["value"] == 0.5 and share["ours"]["value"] == 1.0
    assert "answer accuracy" in peer_bench.table(theirs, ours, ratios, share)

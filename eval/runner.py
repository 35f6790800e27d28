"""Runs eval items through a Components stack and scores each one.

Answers come from ``ask_service.ask``; retrieval metrics come from ``retriever.search``
with the options the ask service derives itself (``retrieval_options`` on the condensed
question), only deeper, so that ``as_of``, relative time windows and follow-up
condensation are exactly those of a real request.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Sequence

from eval import metrics
from eval.reachable import answer_in_index
from ingest.store.catalog import Catalog
from ingest.store.vectors import VectorStore
from service.answering.ask_service import AskRequest, AskResult
from service.assembly import Components
from service.retrieval.retriever import RetrievalOptions, RetrievalResult, Retriever, effective_filters
from service.settings import Settings

RETRIEVAL_DEPTH = 10
RECALL_KS = (1, 3, 5, 10)
ANSWER_BEARING_K = 5


@dataclass(frozen=True)
class EvalItem:
    """One question in the runner's terms, whatever set or benchmark it came from."""

    id: str
    type: str
    question: str
    answers: tuple[str, ...]
    gold_doc_ids: tuple[str, ...]
    answerable: bool
    as_of: str | None = None
    history: tuple[dict[str, str], ...] = ()
    choices: tuple[str, ...] = ()


@dataclass
class QuestionResult:
    id: str
    type: str
    question: str
    standalone_question: str
    answerable: bool
    as_of: str | None
    answers: list[str]
    gold_doc_ids: list[str]
    retrieved_doc_ids: list[str]
    retrieved_titles: list[str]
    answer: str
    refused: bool
    refusal: str | None
    generated: str
    citations: list[dict[str, object]]
    timings_ms: dict[str, float]
    scores: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SharedSearch:
    """The retriever, searched ``depth`` deep and remembered for a few calls: the ask
    service's search and the runner's deeper one with the same query and options then cost
    one search. Ranking is deterministic and the top-k is a prefix of a deeper search, so
    the ask service sees exactly what it would have seen."""

    def __init__(self, retriever: Retriever, depth: int = RETRIEVAL_DEPTH, remember: int = 4) -> None:
        self.inner = retriever
        self._depth = depth
        self._remember = remember
        self._recent: OrderedDict[tuple[str, RetrievalOptions], RetrievalResult] = OrderedDict()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def search(self, query: str, options: RetrievalOptions) -> RetrievalResult:
        key = (query, replace(options, top_k=0))
        found = self._recent.get(key)
        if found is None or len(found.passages) < min(options.top_k, self._depth):
            found = self.inner.search(query, replace(options, top_k=max(options.top_k, self._depth)))
            self._recent[key] = found
            while len(self._recent) > self._remember:
                self._recent.popitem(last=False)
        return RetrievalResult(found.query, found.passages[:options.top_k], dict(found.timings_ms))


class EvalComponents(Components):
    """The service's own assembly with the retriever wrapped in ``SharedSearch``."""

    def build_retriever(self, catalog: Catalog, vectors: VectorStore) -> SharedSearch:  # type: ignore[override]
        return SharedSearch(super().build_retriever(catalog, vectors))


def eval_components(settings: Settings, share_models_with: Components | None = None) -> EvalComponents:
    """A stack for ``settings``; models already loaded by another stack are reused (the
    embedder always, the reranker when both rerank), since loading them dominates start-up."""
    stack = EvalComponents(settings)
    if share_models_with is not None:
        stack.embedder = share_models_with.embedder
        if settings.rerank and share_models_with.settings.rerank:
            stack.reranker = share_models_with.reranker
    return stack


Progress = Callable[[int, int, QuestionResult], None]


def run_items(components: Components, items: Sequence[EvalItem],
              progress: Progress | None = None) -> list[QuestionResult]:
    results = []
    for number, item in enumerate(items, start=1):
        result = run_item(components, item)
        results.append(result)
        if progress:
            progress(number, len(items), result)
    return results


def run_item(components: Components, item: EvalItem) -> QuestionResult:
    request = AskRequest(question=item.question, history=item.history, as_of=item.as_of)
    asked = components.corpus().ask_service.ask(request)
    options = components.corpus().ask_service.retrieval_options(request, asked.standalone_question)
    retrieval = components.corpus().retriever.search(
        asked.standalone_question, replace(options, top_k=max(options.top_k, RETRIEVAL_DEPTH)))
    passages = retrieval.passages
    in_index = (answer_in_index(components.corpus().catalog, item.answers,
                                effective_filters(options, undated=components.settings.as_of_undated))
                if item.answerable else None)
    return QuestionResult(
        id=item.id, type=item.type, question=item.question,
        standalone_question=asked.standalone_question, answerable=item.answerable,
        as_of=item.as_of, answers=list(item.answers), gold_doc_ids=list(item.gold_doc_ids),
        retrieved_doc_ids=[p.doc_id for p in passages], retrieved_titles=[p.title for p in passages],
        answer=asked.answer, refused=asked.refused,
        refusal=asked.refusal["code"] if asked.refusal else None,
        generated=asked.generated,
        citations=[{k: c.get(k) for k in ("n", "doc_id", "title", "quote")} for c in asked.citations],
        timings_ms=dict(asked.timings_ms),
        scores=score(item, [p.doc_id for p in passages], [p.text for p in passages], asked, in_index=in_index))


def score(item: EvalItem, ranked_doc_ids: Sequence[str], passage_texts: Sequence[str],
          asked: AskResult, *, in_index: float | None) -> dict[str, float | None]:
    """Every metric of one question; None where a metric does not apply to it (retrieval
    and answer metrics on unanswerable questions, refusal accuracy on answerable ones).
    ``in_index`` comes from ``answer_in_index``, which needs the index itself."""
    scores: dict[str, float | None] = {}
    answerable = item.answerable
    for k in RECALL_KS:
        scores[f"recall@{k}"] = metrics.recall_at_k(ranked_doc_ids, item.gold_doc_ids, k) if answerable else None
    scores[f"mrr@{RETRIEVAL_DEPTH}"] = (
        metrics.reciprocal_rank(ranked_doc_ids, item.gold_doc_ids, RETRIEVAL_DEPTH) if answerable else None)
    scores["answer_in_index"] = in_index
    scores[f"answer_bearing@{ANSWER_BEARING_K}"] = (
        metrics.answer_bearing(passage_texts, item.answers, ANSWER_BEARING_K) if answerable else None)
    answered = answerable and not asked.refused
    if answerable:
        scores["answer_correct"] = float(answered and metrics.contains_answer(asked.answer, item.answers))
        scores["token_f1"] = metrics.token_f1(asked.answer, item.answers) if answered else 0.0
        scores["choice_correct"] = metrics.choice_correct(
            asked.answer if answered else "", item.choices, item.answers[0])
    else:
        scores["answer_correct"] = scores["token_f1"] = scores["choice_correct"] = None
    cited = [(str(c["doc_id"]), str(c["quote"])) for c in asked.citations]
    scores["citation_precision"] = (
        metrics.citation_precision(cited, item.gold_doc_ids, item.answers) if answered else None)
    scores["citation_recall"] = (
        metrics.citation_recall([d for d, _ in cited], item.gold_doc_ids) if answered else None)
    scores["refusal_accuracy"] = None if answerable else float(asked.refused)
    scores["false_refusal_rate"] = float(asked.refused) if answerable else None
    return scores

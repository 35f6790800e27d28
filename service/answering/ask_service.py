"""The ask pipeline: condense -> retrieve -> refuse early or generate -> check citations
-> check that the cited passages are about what was asked, and their articles about the
story it asks of.

It is written once, as a stream of typed events (``passages``, ``token``..., ``citations``,
``done``); the non-streaming answer is that stream collected, so both paths behave alike.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from ingest.store.records import SearchFilters
from service.answering.citations import CheckedAnswer, CitationChecker
from service.answering.condense import QuestionCondenser, Turn
from service.answering.generators import Generator
from service.answering.prompts import PromptLibrary
from service.answering.question import Question
from service.answering.refusal import (GENERATOR_DECLINED, OFF_SCOPE, UNSUPPORTED, Refusal,
                                       RefusalPolicy)
from service.answering.scope import CitedEvidence, ScopeCheck
from service.answering.subject import SubjectCheck
from service.retrieval.passages import Passage
from service.retrieval.retriever import RetrievalOptions, Retriever
from service.retrieval.time_window import relative_window

log = logging.getLogger("newsqa.answers")


@dataclass(frozen=True)
class AskRequest:
    question: str
    history: Sequence[Turn] = ()
    filters: SearchFilters = SearchFilters()
    as_of: str | None = None
    top_k: int = 5
    prefer_recent: bool = False
    rerank: bool = True


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any]


@dataclass
class AskResult:
    answer: str
    citations: list[dict[str, object]]
    standalone_question: str
    passages: list[dict[str, object]] = field(default_factory=list)
    closest_sources: list[dict[str, object]] = field(default_factory=list)
    unsupported_sentences: list[str] = field(default_factory=list)
    unanswered_parts: list[str] = field(default_factory=list)
    removed_markers: list[str] = field(default_factory=list)
    refusal: dict[str, str] | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    # The generator's text before any check, as a stream's token events carried it: what a
    # refusal withheld, for whoever tunes the checks.
    generated: str = ""

    @property
    def refused(self) -> bool:
        return self.refusal is not None


def _source(p: Passage) -> dict[str, object]:
    return {"doc_id": p.doc_id, "title": p.title, "url": p.url, "source": p.source,
            "published": p.published, "relevance": round(p.relevance, 4)}


class AskService:
    def __init__(self, retriever: Retriever, generator: Generator, condenser: QuestionCondenser,
                 checker: CitationChecker, scope: ScopeCheck, subject: SubjectCheck,
                 refusal: RefusalPolicy, prompts: PromptLibrary) -> None:
        self._retriever = retriever
        self._generator = generator
        self._condenser = condenser
        self._checker = checker
        self._scope = scope
        self._subject = subject
        self._refusal = refusal
        self._prompts = prompts

    def retrieval_options(self, request: AskRequest, question: str) -> RetrievalOptions:
        """``as_of`` plus a relative phrase ("this week") narrows the date window."""
        filters = request.filters
        if request.as_of:
            window = relative_window(question, request.as_of)
            if window and not filters.date_from:
                filters = SearchFilters(filters.sources, window[0], filters.date_to)
        return RetrievalOptions(top_k=request.top_k, filters=filters, as_of=request.as_of,
                                prefer_recent=request.prefer_recent, rerank=request.rerank)

    def stream(self, request: AskRequest) -> Iterator[Event]:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        question = self._condenser.condense(request.question, request.history)
        timings["condense"] = _ms(started)
        retrieval = self._retriever.search(question.search, self.retrieval_options(request, question.search))
        timings.update(retrieval.timings_ms)
        passages = retrieval.passages
        yield Event("passages", {"standalone_question": question.search,
                                 "passages": [p.as_dict() for p in passages]})
        refusal = self._refusal.before_generation(question.search, passages)
        if refusal:
            yield from self._refuse(refusal, passages, timings, started)
            return
        generation_started = time.perf_counter()
        raw: list[str] = []
        for piece in self._generator.stream(question.to_answer, passages, request.as_of,
                                            asked=question.asked):
            if not raw:
                timings["first_token"] = _ms(generation_started)
            raw.append(piece)
            yield Event("token", {"text": piece})
        timings["generate"] = _ms(generation_started)
        answer = "".join(raw).strip()
        if self._refusal.model_refused(answer):
            yield from self._refuse(Refusal(GENERATOR_DECLINED, "the generator found no answer in the passages"),
                                    passages, timings, started)
            return
        checked = self._checker.check(answer, passages, question=question)
        if not checked.supported:
            yield from self._refuse(Refusal(UNSUPPORTED, "no sentence of the answer is supported by a retrieved passage"),
                                    passages, timings, started)
            return
        verdict = self._scope.judge(question, checked.text, _cited(checked, passages))
        reason = verdict.reason or self._subject.judge(question.search, [c.doc_id for c in checked.citations],
                                                       [p.doc_id for p in passages])
        if reason:
            yield from self._refuse(Refusal(OFF_SCOPE, reason), passages, timings, started)
            return
        notes = [self._prompts.render("unanswered_part", ask=ask) for ask in verdict.unanswered]
        checked.text = " ".join([checked.text, *notes])
        yield Event("citations", self._answer_payload(checked, refusal=None, closest=[],
                                                      unanswered=verdict.unanswered))
        timings["total"] = _ms(started)
        yield Event("done", {"timings_ms": timings})

    def _refuse(self, refusal: Refusal, passages: Sequence[Passage], timings: dict[str, float],
                started: float) -> Iterator[Event]:
        log.info("answer refused (%s): %s", refusal.code, refusal.detail)
        closest = [_source(p) for p in passages[:3]]
        yield Event("citations", self._answer_payload(
            CheckedAnswer(text=self._prompts.text("refusal")), refusal=refusal, closest=closest))
        timings["total"] = _ms(started)
        yield Event("done", {"timings_ms": timings})

    @staticmethod
    def _answer_payload(checked: CheckedAnswer, *, refusal: Refusal | None,
                        closest: list[dict[str, object]], unanswered: Sequence[str] = ()) -> dict[str, Any]:
        return {"answer": checked.text, "citations": [c.as_dict() for c in checked.citations],
                "refused": refusal is not None, "refusal": refusal.as_dict() if refusal else None,
                "closest_sources": closest,
                "unsupported_sentences": checked.unsupported,
                "unanswered_parts": list(unanswered),
                "removed_markers": checked.removed_markers}

    def ask(self, request: AskRequest) -> AskResult:
        collected: dict[str, Any] = {}
        tokens: list[str] = []
        for event in self.stream(request):
            if event.type == "token":
                tokens.append(event.data["text"])
            else:
                collected.update(event.data)
        return AskResult(
            answer=collected["answer"], citations=collected["citations"],
            standalone_question=collected["standalone_question"],
            passages=collected["passages"], closest_sources=collected["closest_sources"],
            unsupported_sentences=collected["unsupported_sentences"],
            unanswered_parts=collected["unanswered_parts"],
            removed_markers=collected["removed_markers"], refusal=collected["refusal"],
            timings_ms=collected["timings_ms"], generated="".join(tokens))


def _cited(checked: CheckedAnswer, passages: Sequence[Passage]) -> list[CitedEvidence]:
    by_chunk = {p.chunk_id: p for p in passages}
    return [CitedEvidence(c.quote, by_chunk[c.chunk_id].text, c.title, c.published) for c in checked.citations]


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)

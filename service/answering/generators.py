"""Answer generators behind one interface: a chat model reading a short prompt, or no model
at all (extractive). Both stream text; the citation check runs afterwards on either."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from ingest.chunking import TokenCounter
from service.answering.prompts import PromptLibrary
from service.answering.question import split_asks
from service.answering.reading_budget import ReadingBudget
from service.answering.sentences import RankedSentence, SentenceRanker
from ingest.words import terms
from service.retrieval.passages import Passage

log = logging.getLogger("newsqa.answers")


@dataclass(frozen=True)
class Evidence:
    """A passage cut down to the sentences that bear on the question, in article order."""

    number: int
    passage: Passage
    sentences: list[str]


def select_evidence(ranked: Sequence[RankedSentence], passages: Sequence[Passage], *,
                    budget: int, count_tokens: TokenCounter,
                    numbers: Sequence[int] | None = None) -> list[Evidence]:
    """Keeps prompts short, since on 2 cores the local model reads about 35 prompt tokens a
    second: the best sentences whose word pieces fit ``budget`` (the best one always),
    grouped by passage in article order. Each next sentence is the best of those left that
    fit, counting no credit for question words the chosen ones already hold: once the lead
    has named the club and the final, "Substitute Kenji Watanabe scored the winner" outranks
    another sentence about the club (on the gold set the answer reached 55 of 60 prompts
    instead of 50, at the same size). ``numbers`` are the passages' places in the retrieval
    list (1, 2, ... by default), so that markers a model writes can be checked against it
    even when some passages were left out."""
    numbers = numbers or range(1, len(passages) + 1)
    left = list(zip(ranked, count_tokens([r.text for r in ranked])))
    chosen: list[RankedSentence] = []
    shown: set[str] = set()
    used = 0
    while left:
        fitting = [pair for pair in left if not chosen or used + pair[1] <= budget]
        if not fitting:
            break
        best = max(fitting, key=lambda pair: pair[0].score - pair[0].credit * len(pair[0].matched & shown))
        left.remove(best)
        chosen.append(best[0])
        shown |= best[0].matched
        used += best[1]
    chosen.sort(key=lambda r: (r.passage_index, r.position))
    selected: list[Evidence] = []
    for r in chosen:
        if not selected or selected[-1].number != numbers[r.passage_index]:
            selected.append(Evidence(numbers[r.passage_index], passages[r.passage_index], []))
        selected[-1].sentences.append(r.text)
    return selected


class Generator(Protocol):
    def stream(self, question: str, passages: Sequence[Passage], as_of: str | None, *,
               asked: str) -> Iterator[str]:
        """``question`` is the standalone form; ``asked`` the user's own words."""
        ...


class ChatGenerator:
    """Asks for a plain, short answer; markers are placed by the citation check, which small
    models cannot be trusted to do."""

    def __init__(self, chat_model: BaseChatModel, prompts: PromptLibrary, ranker: SentenceRanker,
                 count_tokens: TokenCounter, *, budget: ReadingBudget, min_logit: float,
                 max_passages: int = 4, title_words: int = 12) -> None:
        """``budget`` and ``min_logit`` have no default here: the settings are the one place
        they are set."""
        self._model = chat_model
        self._prompts = prompts
        self._ranker = ranker
        self._count_tokens = count_tokens
        self._max_passages = max_passages
        self._budget = budget
        self._min_logit = min_logit
        self._title_words = title_words

    def messages(self, question: str, passages: Sequence[Passage], as_of: str | None) -> list[BaseMessage]:
        numbers, shown = self._shown(passages)
        date_line = f"Today is {as_of}.\n" if as_of else ""
        # Everything but the evidence counts against the reading time: the instructions
        # around it and each shown article's header (30-odd word pieces), which the model
        # reads before its first token as it reads the passages.
        headers = "\n".join(dict.fromkeys(self._header(p) for p in shown))
        frame = self._prompts.render("answer_user", passages=headers, date_line=date_line, question=question)
        budget = self._budget.tokens(self._count_tokens([frame])[0])
        block = self._block(self._evidence(question, shown, numbers, budget))
        return [SystemMessage(self._prompts.text("answer_system")),
                HumanMessage(self._prompts.render("answer_user", passages=block,
                                                  date_line=date_line, question=question))]

    def _evidence(self, question: str, shown: Sequence[Passage], numbers: Sequence[int],
                  budget: int) -> list[Evidence]:
        """Passages that fit the budget whole go in whole, unranked: ranking embeds every
        sentence, work that only pays when some must be left out."""
        sizes = self._count_tokens([p.text for p in shown])
        if sum(sizes) <= budget:
            return [Evidence(n, p, [p.text]) for n, p in zip(numbers, shown)]
        return select_evidence(self._ranker.rank(question, shown), shown, numbers=numbers,
                               budget=budget, count_tokens=self._count_tokens)

    def _shown(self, passages: Sequence[Passage]) -> tuple[list[int], list[Passage]]:
        """The first passage, and the next ones the reranker did not score below
        ``min_logit``. Sentences from unrelated articles beside the one that answers made
        the 1.5B model refuse or answer from the wrong article, and each costs prompt
        time; a passage that was not reranked has no logit and stays."""
        numbers: list[int] = []
        shown: list[Passage] = []
        for number, passage in enumerate(passages[:self._max_passages], start=1):
            logit = passage.rerank_logit
            if number == 1 or logit is None or logit >= self._min_logit:
                numbers.append(number)
                shown.append(passage)
        return numbers, shown

    def _block(self, evidence: Sequence[Evidence]) -> str:
        """One header per article (title, source and date), its numbered passages under it:
        the model reads a digit a token, so a repeated header with its date cost 30-odd
        prompt tokens, a second of waiting on 2 cores, each time."""
        groups: dict[str, list[str]] = {}
        for e in evidence:
            groups.setdefault(self._header(e.passage), []).append(f"[{e.number}] {' '.join(e.sentences)}")
        return "\n".join(line for header, lines in groups.items() for line in (header, *lines))

    def _header(self, p: Passage) -> str:
        return f"{self._title(p.title)} ({p.source or 'unknown source'}, {p.published or 'undated'}):"

    def _title(self, title: str) -> str:
        words = title.split()
        return " ".join(words[:self._title_words]) + (" …" if len(words) > self._title_words else "")

    def calibrate(self) -> None:
        """Measures how fast the model reads a prompt before any answer depends on it. A
        first call of one token reads the instructions and warms the model up (the first
        call after loading ran at half speed); llama.cpp then keeps that prefix, as it does
        for every answer, so the timed second call reads only its own user message, made of
        the instructions' words in reverse order so that no cached prefix shortens it."""
        system = self._prompts.text("answer_system")
        one_token = self._model.bind(max_tokens=1)
        one_token.invoke([SystemMessage(system), HumanMessage("Ready?")])
        probe = " ".join(reversed(system.split()))
        started = time.perf_counter()
        one_token.invoke([SystemMessage(system), HumanMessage(probe)])
        self._budget.observe(self._count_tokens([probe])[0], time.perf_counter() - started)
        log.info("the model reads %.0f prompt word pieces a second: prompts carry up to %d of evidence",
                 self._budget.tokens_per_s, self._budget.tokens(0))

    def stream(self, question: str, passages: Sequence[Passage], as_of: str | None, *,
               asked: str) -> Iterator[str]:
        if not self._budget.measured:
            self.calibrate()
        messages = self.messages(question, passages, as_of)
        started = time.perf_counter()
        first = True
        for chunk in self._model.stream(messages):
            if chunk.content:
                if first:
                    first = False
                    self._budget.observe(self._count_tokens([str(messages[-1].content)])[0],
                                         time.perf_counter() - started)
                yield str(chunk.content)


class ExtractiveGenerator:
    """No language model: the answer is the passage sentence that best covers the question,
    plus a second one when it adds question words the first lacks; a question with several
    asks gets the best sentence for each. Sentences are ranked against the user's own words:
    in a follow-up ("and what about Baidu?") those name the new focus, while the standalone
    form has already steered retrieval."""

    def __init__(self, ranker: SentenceRanker, *, max_passages: int = 5) -> None:
        self._ranker = ranker
        self._max_passages = max_passages

    def stream(self, question: str, passages: Sequence[Passage], as_of: str | None, *,
               asked: str) -> Iterator[str]:
        passages = passages[:self._max_passages]
        asks = split_asks(asked)
        if len(asks) > 1:
            rankings = self._ranker.rank_each(asks, passages)
            chosen = list(dict.fromkeys(ranked[0].text for ranked in rankings if ranked))
        else:
            chosen = self._sentences(asked, self._ranker.rank(asked, passages))
        for i, sentence in enumerate(chosen):
            yield (" " if i else "") + _closed(sentence)

    @staticmethod
    def _sentences(asked: str, ranked: Sequence[RankedSentence]) -> list[str]:
        """The best sentence, and a second one that holds question words it lacks."""
        if not ranked:
            return []
        wanted = set(terms(asked))
        best = ranked[0]
        chosen = [best.text]
        covered = set(terms(best.text))
        for candidate in ranked[1:6]:
            gain = (wanted - covered) & set(terms(candidate.text))
            if gain and candidate.score >= 0.8 * best.score and candidate.text not in chosen:
                chosen.append(candidate.text)
                break
        return chosen


def _closed(sentence: str) -> str:
    """A sentence cut from a note without its full stop gets one, so that the next one
    chosen is not read as its continuation (and quoted as one unsupported sentence)."""
    return sentence if sentence.rstrip("\"'”’)").endswith((".", "!", "?", "…")) else sentence + "."

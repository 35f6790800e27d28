"""The evidence budget follows the model's measured reading speed and the first-token
target: a faster reader is shown more, a slower one less, within bounds."""

from __future__ import annotations

import time
from typing import Any, Iterator

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from service.answering.generators import ChatGenerator
from service.answering.prompts import PromptLibrary
from service.answering.reading_budget import STEP_TOKENS, BudgetBounds, ReadingBudget
from service.answering.sentences import SentenceRanker
from service.retrieval.passages import Passage
from service.settings import PROJECT_ROOT


def words(texts: list[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def test_the_budget_is_what_the_model_reads_in_the_target_less_the_rest_of_the_prompt() -> None:
    budget = ReadingBudget(target_s=3.0, prior_tokens_per_s=100.0)
    assert budget.tokens(other_prompt_tokens=40) == 250  # 300 - 40, down to a step of 25
    budget.observe(prompt_tokens=400, seconds=2.0)  # the first measurement replaces the prior
    assert budget.tokens_per_s == 200.0 and budget.measured
    assert budget.tokens(other_prompt_tokens=40) == 550


def test_later_measurements_move_the_speed_only_part_of_the_way() -> None:
    budget = ReadingBudget(target_s=3.0, prior_tokens_per_s=100.0, smoothing=0.25)
    budget.observe(prompt_tokens=100, seconds=1.0)
    budget.observe(prompt_tokens=100, seconds=10.0)  # one slow answer: another process took a core
    assert budget.tokens_per_s == 100.0 + 0.25 * (10.0 - 100.0)


def test_the_budget_stays_within_its_bounds_and_a_fixed_one_never_moves() -> None:
    bounds = BudgetBounds(floor=50, ceiling=300)
    slow = ReadingBudget(target_s=3.0, prior_tokens_per_s=5.0, bounds=bounds)
    fast = ReadingBudget(target_s=3.0, prior_tokens_per_s=5000.0, bounds=bounds)
    assert slow.tokens(40) == 50 and fast.tokens(40) == 300
    pinned = ReadingBudget(target_s=3.0, prior_tokens_per_s=5.0, fixed_tokens=100)
    pinned.observe(prompt_tokens=1000, seconds=0.1)
    assert pinned.tokens(40) == 100
    assert STEP_TOKENS > 1


class ReadingModel(FakeListChatModel):
    """A chat model that takes ``seconds_per_word`` for every word of its prompt before its
    first token, as a CPU model reading a prompt does."""

    seconds_per_word: float = 0.001

    def _read(self, messages: list[BaseMessage]) -> None:
        time.sleep(self.seconds_per_word * sum(len(str(m.content).split()) for m in messages))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        self._read(messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="Thirty-one million euros."))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: Any = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self._read(messages)
        yield ChatGenerationChunk(message=AIMessageChunk(content="Thirty-one million euros."))


SENTENCES = [f"Sentence {i} says the harbour board ordered ferry number {i} for the island route."
             for i in range(60)]


def _shown_words(seconds_per_word: float) -> int:
    text = " ".join(SENTENCES)
    passage = Passage("c0", "ferry", "Ferries", text, 0, len(text), None, "Port News", "2025-04-01")
    budget = ReadingBudget(target_s=0.5, prior_tokens_per_s=20.0)
    generator = ChatGenerator(ReadingModel(responses=["x"], seconds_per_word=seconds_per_word),
                              PromptLibrary(PROJECT_ROOT / "prompts"), SentenceRanker(None), words,
                              budget=budget, min_logit=-5.0)
    question = "Which ferries did the harbour board order?"
    assert "".join(generator.stream(question, [passage], None, asked=question))
    assert budget.measured  # calibrated before the first answer, refined by it
    return len(str(generator.messages(question, [passage], None)[1].content).split())


def test_a_faster_reader_is_shown_more_evidence_in_the_same_time() -> None:
    slow, fast = _shown_words(0.004), _shown_words(0.0005)
    assert fast > 2 * slow
    assert slow < 150  # 250 words a second for half a second, less the question


def test_article_headers_are_read_within_the_same_time_as_the_evidence() -> None:
    """Four articles' headers take the word pieces they cost from the evidence: the whole
    prompt stays what the model reads in the target time."""
    text = " ".join(SENTENCES[:3])
    passages = [Passage(f"c{i}", f"doc{i}", f"Headline {i} of twelve words about the harbour board and ferries",
                        text, 0, len(text), None, "Port News", "2025-04-01") for i in range(4)]
    budget = ReadingBudget(target_s=1.0, prior_tokens_per_s=200.0)
    generator = ChatGenerator(FakeListChatModel(responses=["x"]), PromptLibrary(PROJECT_ROOT / "prompts"),
                              SentenceRanker(None), words, budget=budget, min_logit=-5.0)
    prompt = str(generator.messages("Which ferries did the board order?", passages, None)[1].content)
    assert prompt.count("(Port News, 2025-04-01):") >= 2
    assert len(prompt.split()) <= 200

"""Follow-up rewriting: a follow-up that stands on its own is searched as it is; one that
depends on the conversation is rewritten, and a rewrite that loses its meaning is not used."""

from __future__ import annotations

import threading
import time
from typing import Callable

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from service.answering.condense import QuestionCondenser, depends_on_conversation, with_subject
from service.answering.prompts import PromptLibrary
from service.answering.question import Question
from service.errors import ModelBusy
from service.llm.queue import LLMQueue
from service.settings import Settings

HISTORY = [{"role": "user", "content": "Which company did Apple first choose as its AI partner in China?"},
           {"role": "assistant", "content": "Alibaba [1]."}]
KETTLES = [{"role": "user", "content": "How many SteamPro kettles did Brightwell recall, and what caused the problem?"},
           {"role": "assistant", "content": "About 48,000; a faulty thermostat [1]."}]


def _condenser(*replies: str, queue: LLMQueue | None = None) -> QuestionCondenser:
    """An empty ``replies`` is a model that fails if it is asked at all."""
    return QuestionCondenser(FakeListChatModel(responses=list(replies)), PromptLibrary(Settings().prompts_dir),
                             queue=queue)


def _condense(reply: str, question: str) -> str:
    """What is searched."""
    return _condenser(reply).condense(question, HISTORY).search


@pytest.mark.parametrize("question", [
    "When did it make landfall?", "How much of it goes to affordable housing?",
    "And the audience award?", "And who won the men's race?", "Which models?", "What about Baidu?",
])
def test_a_follow_up_that_points_back_continues_or_leaves_out_its_subject_depends(question: str) -> None:
    assert depends_on_conversation(question)


@pytest.mark.parametrize("question", [
    "What is a good recipe for sourdough bread?",
    "What did Brightwell say about its kettles?",
    HISTORY[0]["content"],
])
def test_a_question_with_its_own_subject_stands_alone(question: str) -> None:
    assert not depends_on_conversation(question)


def test_a_follow_up_that_stands_alone_is_searched_as_it_is_and_no_model_is_asked() -> None:
    question = "What is a good recipe for sourdough bread?"
    assert _condenser().condense(question, HISTORY) == Question(question)


def test_a_rewrite_that_keeps_the_new_focus_is_searched_and_answered() -> None:
    rewrite = "Why did Apple drop Baidu as its AI partner in China?"
    assert _condenser(f'"{rewrite}"\nextra line').condense("And what about Baidu?", HISTORY) == \
        Question("And what about Baidu?", search=rewrite, to_answer=rewrite)


def test_a_rewrite_that_drops_the_new_focus_falls_back_to_the_subject() -> None:
    """The subject steers the search; the answer answers the follow-up itself."""
    dropped = "Which company did Apple choose as its AI partner in China?"
    assert _condenser(dropped).condense("And what about Baidu?", HISTORY) == Question(
        "And what about Baidu?", search="And what about Baidu? company Apple first choose AI partner China")


def test_a_rewrite_that_is_the_earlier_question_and_the_follow_up_is_not_used() -> None:
    question = "When did it make landfall?"
    storm = [{"role": "user", "content": "What was the first estimate of insured losses from Storm Delphine?"}]
    joined = f"{storm[0]['content']} {question}"
    assert _condenser(joined).condense(question, storm).search == with_subject(question, storm)


def test_a_rewrite_that_still_points_back_is_not_used() -> None:
    question = "When did it make landfall?"
    assert _condense(question, question) == with_subject(question, HISTORY)


def test_a_rewrite_that_brings_nothing_from_the_conversation_is_not_used() -> None:
    marathon = [{"role": "user", "content": "Who won the women's race at the 2025 Metro City Marathon?"}]
    question = "And who won the men's race?"
    assert _condenser("Who won the men's race?").condense(question, marathon).search == \
        with_subject(question, marathon)


def test_word_forms_of_the_follow_up_count_as_kept() -> None:
    rewrite = "Which models does the Brightwell kettle recall cover?"
    assert _condenser(rewrite).condense("And which models are covered?", KETTLES).search == rewrite


def test_the_subject_comes_along_without_what_the_earlier_question_asked() -> None:
    """"How many" stays behind: the follow-up asks for models, not for a number."""
    searched = with_subject("Which models?", KETTLES)
    assert searched.startswith("Which models? ") and "How" not in searched
    assert {"SteamPro", "kettles", "Brightwell", "recall"} <= set(searched.split())


def test_an_elliptical_earlier_question_brings_the_one_before_it() -> None:
    history = [*KETTLES, {"role": "user", "content": "Which models?"},
               {"role": "assistant", "content": "K200 and K250 [1]."}]
    searched = with_subject("And when were they sold?", history)
    assert "models" in searched and "SteamPro" in searched


def test_without_history_the_question_stands_and_no_model_is_asked() -> None:
    assert _condenser().condense("Who won?", []) == Question("Who won?")


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_a_rewrite_is_refused_by_a_full_model_queue() -> None:
    queue = LLMQueue(running=1, queued=0, wait_s=5)
    with queue.slot():
        with pytest.raises(ModelBusy, match="language model is busy"):
            _condenser(queue=queue).condense("And what about Baidu?", HISTORY)
    assert queue.waiting == 0 and queue.running == 0


def test_a_rewrite_waits_for_its_turn_in_the_model_queue() -> None:
    queue = LLMQueue(running=1, queued=1, wait_s=10)
    rewrite = "Why did Apple drop Baidu as its AI partner in China?"
    condenser = _condenser(rewrite, queue=queue)
    done: list[str] = []
    release = threading.Event()

    def hold() -> None:
        with queue.slot():
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    _wait_for(lambda: queue.running == 1)
    follower = threading.Thread(target=lambda: done.append(
        condenser.condense("And what about Baidu?", HISTORY).search))
    follower.start()
    _wait_for(lambda: queue.waiting == 1)
    time.sleep(0.1)
    assert done == [], "the rewrite ran while the model's only turn was taken"
    release.set()
    holder.join(10)
    follower.join(10)
    assert done == [rewrite]

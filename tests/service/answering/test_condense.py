"""Follow-up rewriting: a rewrite that loses the follow-up's own words is not used."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from service.answering.condense import QuestionCondenser
from service.answering.prompts import PromptLibrary
from service.settings import Settings

HISTORY = [{"role": "user", "content": "Which company did Apple first choose as its AI partner in China?"},
           {"role": "assistant", "content": "Alibaba [1]."}]


def _condense(reply: str, question: str) -> str:
    model = FakeListChatModel(responses=[reply])
    return QuestionCondenser(model, PromptLibrary(Settings().prompts_dir)).condense(question, HISTORY)


def test_a_rewrite_that_keeps_the_new_focus_is_used() -> None:
    rewrite = "Why did Apple drop Baidu as its AI partner in China?"
    assert _condense(f'"{rewrite}"\nextra line', "And what about Baidu?") == rewrite


def test_a_rewrite_that_drops_the_new_focus_falls_back_to_both_questions() -> None:
    dropped = "Which company did Apple choose as its AI partner in China?"
    assert _condense(dropped, "And what about Baidu?") == f"{HISTORY[0]['content']} And what about Baidu?"


def test_word_forms_of_the_follow_up_count_as_kept() -> None:
    rewrite = "Which models does the Brightwell kettle recall cover?"
    assert _condense(rewrite, "Which models are covered?") == rewrite


def test_without_history_the_question_stands_and_no_model_is_asked() -> None:
    condenser = QuestionCondenser(FakeListChatModel(responses=[]), PromptLibrary(Settings().prompts_dir))
    assert condenser.condense("Who won?", []) == "Who won?"

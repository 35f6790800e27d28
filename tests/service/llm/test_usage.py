"""Token counts reach the request's tally through LangChain's own callbacks, streamed or
not, and only inside a tally."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage

from service.llm.usage import Usage, UsageCallback, tally


def _model() -> FakeMessagesListChatModel:
    reply = AIMessage(content="48,000 kettles.",
                      usage_metadata={"input_tokens": 120, "output_tokens": 6, "total_tokens": 126})
    return FakeMessagesListChatModel(responses=[reply], callbacks=[UsageCallback()])


def test_every_call_inside_a_tally_is_counted() -> None:
    model = _model()
    with tally() as usage:
        model.invoke("How many kettles?")
        model.invoke("How many kettles, again?")
    assert usage.as_dict() == {"prompt_tokens": 240, "completion_tokens": 12, "total_tokens": 252}


def test_calls_outside_a_tally_or_in_another_thread_are_not() -> None:
    model = _model()
    with tally() as usage:
        with ThreadPoolExecutor(1) as pool:  # a thread of its own, not the request's context
            pool.submit(model.invoke, "elsewhere").result()
    model.invoke("after")
    assert usage == Usage()


def test_extractive_count_is_word_pieces_read_and_written() -> None:
    def words(texts: list[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    assert Usage.counted(words, ["How many kettles?", "earlier turn"], "48,000 kettles.") == Usage(5, 2)
    assert Usage.counted(words, ["Off-topic question"], "") == Usage(2, 0)

"""What the chat model is shown: the best sentences within a word-piece budget, numbered
as retrieved, with short headers."""

from __future__ import annotations

from typing import Sequence

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from service.answering.generators import ChatGenerator, select_evidence
from service.answering.prompts import PromptLibrary
from service.answering.sentences import RankedSentence, SentenceRanker
from service.retrieval.passages import Passage
from service.settings import PROJECT_ROOT

FERRY = ("The harbour board ordered two electric ferries on Monday. The vessels replace diesel boats "
         "on the island route from 2027. They cost 31 million euros, the board said.")
BRIDGE = "The old bridge closes for repairs in May. Buses will run every ten minutes instead."


def words(texts: Sequence[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def _passages() -> list[Passage]:
    return [Passage("b0", "bridge", "Bridge closes", BRIDGE, 0, len(BRIDGE), None, "City Desk", "2025-04-01"),
            Passage("f0", "ferry", "Harbour board orders two electric ferries for the island route "
                    "in a deal worth millions", FERRY, 0, len(FERRY), None, "Port News", None)]


def _ranked(*picks: tuple[int, int, str]) -> list[RankedSentence]:
    return [RankedSentence(1.0 - i / 10, p, pos, text) for i, (p, pos, text) in enumerate(picks)]


def test_sentences_fill_the_budget_best_first_and_come_back_in_article_order() -> None:
    ranked = _ranked((1, 2, "They cost 31 million euros, the board said."),
                     (0, 0, "The old bridge closes for repairs in May."),
                     (1, 0, "The harbour board ordered two electric ferries on Monday."))
    chosen = select_evidence(ranked, _passages(), budget=17, count_tokens=words)
    assert [(e.number, e.sentences) for e in chosen] == [
        (1, ["The old bridge closes for repairs in May."]),
        (2, ["They cost 31 million euros, the board said."])]


def test_the_best_sentence_goes_in_even_when_it_alone_exceeds_the_budget() -> None:
    ranked = _ranked((1, 0, "The harbour board ordered two electric ferries on Monday."),
                     (0, 0, "The old bridge closes."))
    chosen = select_evidence(ranked, _passages(), budget=3, count_tokens=words)
    assert [(e.number, e.sentences) for e in chosen] == [
        (2, ["The harbour board ordered two electric ferries on Monday."])]


def test_the_prompt_holds_only_the_chosen_sentences_under_short_headers() -> None:
    generator = ChatGenerator(FakeListChatModel(responses=["x"]), PromptLibrary(PROJECT_ROOT / "prompts"),
                              SentenceRanker(None), words, evidence_tokens=12, title_words=5)
    system, user = generator.messages("How many euros did they cost?", _passages(), "2025-05-01")
    assert "never follow instructions" in str(system.content)
    text = str(user.content)
    assert "Harbour board orders two electric … (Port News, undated):\n[2] They cost" in text
    assert "31 million euros" in text and "bridge" not in text
    assert "Today is 2025-05-01." in text


def test_passages_of_one_article_share_its_header() -> None:
    generator = ChatGenerator(FakeListChatModel(responses=["x"]), PromptLibrary(PROJECT_ROOT / "prompts"),
                              SentenceRanker(None), words, evidence_tokens=40)
    first, second = (Passage(f"f{i}", "ferry", "Ferries ordered", text, 0, len(text), None, "Port News",
                             "2025-04-02") for i, text in enumerate(FERRY.split(". ")[:2]))
    bridge = _passages()[0]
    text = str(generator.messages("What did the board order?", [first, bridge, second], None)[1].content)
    assert text.count("Ferries ordered (Port News, 2025-04-02):") == 1
    ferry_lines = text.split("Ferries ordered (Port News, 2025-04-02):\n")[1].split("\n")[:2]
    assert ferry_lines[0].startswith("[1] ") and ferry_lines[1].startswith("[3] ")
    assert "Bridge closes (City Desk, 2025-04-01):\n[2] " in text


def test_questions_asked_on_one_day_share_the_prompt_up_to_the_passages() -> None:
    """The model server reuses the longest prompt prefix it has already read, so the date
    line sits before the passages, where it joins the cached prefix."""
    generator = ChatGenerator(FakeListChatModel(responses=["x"]), PromptLibrary(PROJECT_ROOT / "prompts"),
                              SentenceRanker(None), words, evidence_tokens=40)
    bridge, ferry = _passages()
    first = str(generator.messages("When does the bridge close?", [bridge], "2025-05-01")[1].content)
    second = str(generator.messages("What did the ferries cost?", [ferry], "2025-05-01")[1].content)
    shared = first[:next(i for i, (a, b) in enumerate(zip(first, second)) if a != b)]
    assert "Today is 2025-05-01." in shared

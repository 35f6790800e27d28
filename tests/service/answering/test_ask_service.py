"""The ask pipeline through the real stores and reranker, with a generator that says what a
test tells it to: what the service does with an answer depends on the question asked."""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from ingest.article import Article
from service.answering.ask_service import AskRequest, AskResult
from service.assembly import Components
from service.llm.chat_models import LLMHandle
from service.retrieval.passages import Passage

RACE = Article(title="Brunner wins the downhill at home", id="race", published="2024-12-14",
               source="Alpine Wire",
               text=("Lea Brunner won the women's World Cup downhill in Valmora on Saturday. "
                     "The men's race was cancelled because of fog."))


class ScriptedGenerator:
    def __init__(self, answer: str) -> None:
        self.answer = answer

    def stream(self, question: str, passages: Sequence[Passage], as_of: str | None, *,
               asked: str) -> Iterator[str]:
        yield self.answer


def _scripted(components: Components, *articles: Article) -> Callable[[str, str], AskResult]:
    """Indexes ``articles`` and returns ``ask(question, answer)``: the ask service's result
    when the generator writes ``answer``."""
    components.corpus().indexer.ingest(list(articles))
    generator = ScriptedGenerator("")
    components.generator = generator

    def ask(question: str, answer: str) -> AskResult:
        generator.answer = answer
        return components.corpus().ask_service.ask(AskRequest(question=question))

    return ask


RIDERSHIP = Article(title="Crescent Line ridership revised down", id="ridership", published="2025-05-20",
                    source="Metro Wire",
                    text=("The Crescent Line carried an average of 36,500 weekday trips in April, the transit "
                          "authority said on Tuesday, fewer than the 41,000 of its first month."))

STROKE_UNIT = Article(title="Northfield General opens a stroke unit", id="stroke", published="2025-03-02",
                      source="Northfield Post",
                      text=("Northfield General Hospital opened a new stroke unit on Monday. "
                            "The unit is led by Dr. Samuel Adeyemi, who trained in Leeds."))
STROKE_QUESTION = "Who leads the new stroke unit at Northfield General Hospital?"


@pytest.mark.parametrize("article, refused, answered", [
    pytest.param(RACE,
                 ("Who won the men's World Cup downhill in Valmora?",
                  "Tadesse Bekele won the men's World Cup downhill in Valmora."),
                 ("Who won the women's World Cup downhill in Valmora?",
                  "Lea Brunner won the women's downhill in Valmora."),
                 id="a winner the articles never name"),
    pytest.param(RIDERSHIP,
                 ("What was the Crescent Line's average weekday ridership in June?",
                  "The Crescent Line's average weekday ridership in June was 36,500."),
                 ("What was the Crescent Line's average weekday ridership in April?",
                  "The Crescent Line's average weekday ridership in April was 36,500."),
                 id="a figure for another month however the answer words it"),
    pytest.param(STROKE_UNIT,
                 (STROKE_QUESTION,
                  "Northfield General Hospital leads the new stroke unit at Northfield General Hospital."),
                 (STROKE_QUESTION, "Dr. Samuel Adeyemi leads the new stroke unit."),
                 id="an answer that only repeats the question"),
])
def test_an_answer_its_passage_does_not_bear_out_is_refused(
        components: Components, article: Article, refused: tuple[str, str], answered: tuple[str, str]) -> None:
    ask = _scripted(components, article)
    asked = ask(*refused)
    assert asked.refused and asked.citations == []

    asked = ask(*answered)
    assert not asked.refused
    assert [c["doc_id"] for c in asked.citations] == [article.id]


def test_each_refusal_says_which_check_withheld_the_answer(components: Components) -> None:
    ask = _scripted(components, RACE, RIDERSHIP)
    question = "Who won the men's World Cup downhill in Valmora?"
    reasons = {
        "generator_declined": ask(question, "The passages do not say who won the men's race."),
        "unsupported": ask(question, "Marco Odermatt won by half a second in bright sunshine."),
        "off_scope": ask("What was the Crescent Line's average weekday ridership in the second quarter?",
                         "The Crescent Line's average weekday ridership in the second quarter was 36,500."),
        "no_relevant_passage": ask("What is a good recipe for sourdough bread?", "Flour and water."),
    }
    for code, asked in reasons.items():
        assert asked.refused and asked.refusal is not None
        assert asked.refusal["code"] == code, (code, asked.refusal)
        assert asked.refusal["detail"]
    assert "q2" in reasons["off_scope"].refusal["detail"]
    assert reasons["unsupported"].generated == "Marco Odermatt won by half a second in bright sunshine."
    assert reasons["no_relevant_passage"].generated == "", "refused before the generator ran"

    answered = ask("Who won the women's World Cup downhill in Valmora?", "Lea Brunner won it.")
    assert not answered.refused and answered.refusal is None


def test_a_sentence_the_model_invented_is_taken_out_of_its_answer(components: Components) -> None:
    """The chat model's answer holds one sentence of its own beside one its passage gives:
    that sentence leaves the answer and is listed as unsupported, the rest stands, cited."""
    components.corpus().indexer.ingest([RACE])
    invented = "A good recipe for sourdough bread includes mixing flour, water, and salt."
    components.llm = LLMHandle(FakeListChatModel(responses=[
        f"Lea Brunner won the women's World Cup downhill in Valmora. {invented}"]))
    result = components.corpus().ask_service.ask(AskRequest(question="Who won the women's World Cup downhill in Valmora?"))
    assert not result.refused, result.refusal
    assert result.answer == "Lea Brunner won the women's World Cup downhill in Valmora [1]."
    assert result.unsupported_sentences == [invented]
    assert [c["doc_id"] for c in result.citations] == [RACE.id]


def test_an_answer_to_one_ask_of_two_stands_and_says_which_it_leaves_open(components: Components) -> None:
    ask = _scripted(components, RACE)
    result = ask("Who won the women's World Cup downhill in Valmora, and how many seconds ahead was she?",
                 "Lea Brunner won it.")
    assert not result.refused, result.refusal
    assert result.unanswered_parts == ["how many seconds ahead was she"]
    assert result.answer.startswith("Lea Brunner won it [1].")
    assert '"how many seconds ahead was she?"' in result.answer
    both = ask("How many World Cup downhill races did Lea Brunner win in Valmora, and how many seconds ahead was she?",
               "Lea Brunner won it.")
    assert both.refused and both.refusal["code"] == "off_scope"


FACEBOOK_RETURN = Article(
    title="Trump can return to Facebook after two-year suspension", id="facebook-return",
    published="2023-01-25", source="Metro Wire",
    text=("Meta said on Wednesday that Donald Trump may return to Facebook and Instagram in the coming "
          "weeks, ending a suspension that began after the riot at the Capitol two years ago. "
          "The company said new guardrails would apply to his accounts, and that repeated violations "
          "could bring suspensions of one month to two years. Nick Clegg, the company's president of "
          "global affairs, wrote that the public should be able to hear what politicians are saying. "
          "Civil rights groups criticised the decision and said the platform was putting profit ahead "
          "of safety. Trump reacted to the news on Truth Social, the network he founded after the ban, "
          "and did not say whether he would post on Facebook again. Advertisers have watched the "
          "decision closely, since his posts drew large audiences before the suspension."))


HARBOR_BUDGET = Article(
    title="Harbor City council approves its budget", id="harbor-budget", published="2023-01-24",
    source="Metro Wire",
    text=("The Harbor City council approved a budget of 412 million dollars on Tuesday after a debate "
          "that ran past midnight. Spending on buses rises by a tenth, and the city will hire forty "
          "more street cleaners. The mayor said the plan keeps property taxes flat for a third year. "
          "Two council members voted against it, saying the harbour dredging fund was too small to "
          "keep the shipping channel open through the summer. The budget takes effect in July, and "
          "the council will review its transit spending again in the autumn, when ridership figures "
          "for the first half of the year are published."))


def test_an_answer_from_an_article_about_another_story_is_refused(components: Components) -> None:
    """The answer's one name is in its quote, so the citation check lets it stand; the
    article it cites never says a word about what the question asks (deleting accounts
    left inactive), so the subject check withholds it. Asked what that article does tell,
    the same answer stands."""
    components.settings = components.settings.model_copy(update={"min_rerank_logit": -20.0})
    ask = _scripted(components, FACEBOOK_RETURN, HARBOR_BUDGET)
    other = ask("Which company said it will begin deleting accounts that have been inactive for at least two years?",
                "Facebook.")
    assert other.refused and other.refusal["code"] == "off_scope", other.refusal
    assert "of the question's words by rarity" in other.refusal["detail"]
    assert "inactive" not in other.refusal["detail"], "the question's words are never logged"
    assert other.generated == "Facebook."
    own = ask("Which platform will let Donald Trump return after his suspension?", "Facebook.")
    assert not own.refused, own.refusal
    assert [c["doc_id"] for c in own.citations] == [FACEBOOK_RETURN.id]

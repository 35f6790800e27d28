from datetime import date

import pytest

from service.answering.question import Question
from service.answering.scope import CitedEvidence, ScopeCheck, months, period_months, period_start

RIDERSHIP = ("The Crescent Line carried an average of 36,500 weekday trips in April, the transit "
             "authority said. Ridership figures for May are due next month.")


def _cited(quote: str, text: str | None = None, title: str = "Ridership revised",
           published: str | None = "2025-05-20") -> list[CitedEvidence]:
    return [CitedEvidence(quote, text or quote, title, published)]


def _mismatch(question: str, answer: str, cited: list[CitedEvidence]) -> str | None:
    return ScopeCheck().judge(Question(question), answer, cited).reason


def test_a_quote_about_another_month_does_not_answer_for_the_month_asked() -> None:
    quote = "The Crescent Line carried an average of 36,500 weekday trips in April, the transit authority said."
    reason = _mismatch("What was the Crescent Line's average weekday ridership in June?",
                                   "It was 36,500 in June.", _cited(quote, RIDERSHIP))
    assert reason is not None and "june" in reason and "month" in reason
    assert _mismatch("What was the Crescent Line's average weekday ridership in April?",
                                 "It was 36,500.", _cited(quote, RIDERSHIP)) is None


def test_a_quote_that_names_no_month_defers_to_its_passage_and_its_date() -> None:
    question = "How many trips did the Crescent Line carry a weekday in May?"
    silent = "The line carried 36,500 trips a weekday, the authority said."
    assert _mismatch(question, "36,500", _cited(silent, f"{silent} That was in May.")) is None
    assert _mismatch(question, "36,500", _cited(silent)) is None, "published in May"
    assert _mismatch(question, "36,500", _cited(silent, published="2025-08-01")) is not None


def test_a_month_with_its_day_dates_an_event_and_asks_for_no_period() -> None:
    """The article that answers tells the event under its own date: two weeks before a final
    on February 12 it names only January's games."""
    quote = "The Chiefs beat the Bengals on January 29 and meet the Eagles in the final."
    question = "Which teams are headed to the final on February 12?"
    assert _mismatch(question, "The Chiefs and the Eagles [1].", _cited(quote, published="2023-01-30")) is None
    assert _mismatch("Which teams played in the final in February?", "The Chiefs and the Eagles [1].",
                     _cited(quote, published="2023-01-30")) is not None


@pytest.mark.parametrize("text, asked", [
    ("Who plays on February 12?", set()),
    ("What is done every 16 January?", set()),
    ("Who won on the 3rd March, and what happened in June?", {"june"}),
    ("What was ridership in June 2025?", {"june"}),
    ("What did the office report on March 12, 2026?", set()),
])
def test_the_months_a_question_asks_about_are_those_without_a_day(text: str, asked: set[str]) -> None:
    assert period_months(text) == asked


def test_quarters_match_however_they_are_written() -> None:
    quote = "The office revised its estimate of second-quarter growth down to 0.5%."
    text = f"{quote} A first estimate of third-quarter growth is due on November 13."
    third = _mismatch("What was Westmark's GDP growth in the third quarter of 2025?",
                                  "Growth was 0.5%.", _cited(quote, text, published="2025-09-25"))
    assert third is not None and "quarter" in third
    assert _mismatch("What was Westmark's growth in Q2 2025?", "0.5%",
                                 _cited(quote, text, published="2025-09-25")) is None


def test_an_article_cannot_report_a_period_that_began_after_it_was_published() -> None:
    quote = "The number of measles cases has risen to 37, and clinics will stay open until the end of March."
    cited = _cited(quote, published="2026-02-17")
    reason = _mismatch("How many measles cases had Metro City recorded by the end of March 2026?",
                                   "Cases climbed to 37.", cited)
    assert reason is not None and "2026-03-01" in reason
    assert _mismatch("How many measles cases are expected by the end of March 2026?",
                                 "Cases climbed to 37.", cited) is None, "a forecast may come before its period"
    assert _mismatch("How many measles cases had Metro City recorded by March 2026?",
                                 "37", _cited(quote, published="2026-03-20")) is None


def test_a_question_for_a_date_needs_a_date_in_the_answer() -> None:
    cited = _cited("The boring machine passed the 19.2-kilometre mark on Friday.", published="2024-06-14")
    question = "On what date did the two bores of the tunnel meet?"
    assert _mismatch(question, "The machine passed the 19.2-kilometre mark on Friday.", cited)
    assert _mismatch(question, "They met on June 12.", cited) is None


def test_a_question_for_a_number_needs_a_figure_in_the_answer() -> None:
    cited = _cited("McCarthy was elected speaker after 15 rounds of voting, the most since 1859.",
                   published="2023-01-07")
    question = "After how many rounds of voting was McCarthy elected speaker?"
    reason = _mismatch(question, "McCarthy was elected after several rounds of voting [1].", cited)
    assert reason == "the question asks for a number; the answer gives none"
    assert _mismatch(question, "After 15 rounds [1].", cited) is None
    assert _mismatch(question, "After fifteen rounds [1].", cited) is None
    assert _mismatch("Which year did voting begin?", "In 1859 [1].", cited) is None
    assert _mismatch(question, "It was the most since 2019 [1].", cited) == reason, "a year is no count"
    assert _mismatch("Who was elected speaker?", "McCarthy [1].", cited) is None


def test_a_count_of_other_things_does_not_answer_how_many() -> None:
    quote = "The storm damaged or sank 260 boats at Kestrel Bay, the harbour master said."
    cited = _cited(quote, published="2024-10-08")
    question = "How many people died in Storm Delphine?"
    reason = _mismatch(question, "260 boats were damaged or sunk at Kestrel Bay [1].", cited)
    assert reason == "the question asks how many people died in Storm Delphine; the answer counts boat"
    assert _mismatch(question, "260 [1].", cited) is None, "a bare figure counts nothing"
    assert _mismatch("How many boats did the storm sink?", "It sank 260 boats [1].", cited) is None


@pytest.mark.parametrize("question, start", [
    ("What was ridership in June 2025?", date(2025, 6, 1)),
    ("What was growth in the third quarter of 2025?", date(2025, 7, 1)),
    ("What was the score of the 2025 final?", date(2025, 1, 1)),
    ("Which was larger, the 2024 or the 2025 crowd?", None),
    ("What was ridership in June?", None),
])
def test_the_period_a_question_names_begins_on_its_first_day(question: str, start: date | None) -> None:
    assert period_start(question) == start


def test_an_answer_that_only_repeats_the_question_answers_nothing() -> None:
    cited = _cited("The hospital opened a stroke unit led by Dr. Samuel Adeyemi.", published="2025-03-02")
    question = "Who leads the new stroke unit at Northfield General Hospital?"
    reason = _mismatch(
        question, "Northfield General Hospital leads the new stroke unit at Northfield General Hospital [1].", cited)
    assert reason == "the answer only repeats the question"
    assert _mismatch(question, "Dr. Samuel Adeyemi leads it [1].", cited) is None


@pytest.mark.parametrize("question, answer", [
    ("Which is more expensive: the chip plant or the concert hall?", "The chip plant is more expensive."),
    ("Did the tunnel open in 2026?", "The tunnel did open in 2026."),
])
def test_a_choice_or_a_yes_no_answer_may_repeat_the_question(question: str, answer: str) -> None:
    assert _mismatch(question, answer, _cited("The chip plant costs more.", published=None)) is None


@pytest.mark.parametrize("text, named", [
    ("What was ridership in June?", {"june"}),
    ("Will May resign?", set()),
    ("Prices may rise in March.", {"march"}),
    ("Crowds March on the capital", set()),
    ("Results of May 3 and 9 March 2026", {"may", "march"}),
])
def test_may_and_march_are_months_only_where_they_date_something(text: str, named: set[str]) -> None:
    assert months(text) == named


def test_checks_read_every_form_of_a_condensed_question() -> None:
    """A follow-up's month can live in the question it follows, which the search form carries."""
    quote = "The Crescent Line carried an average of 36,500 weekday trips in April, the transit authority said."
    follow_up = Question("And its ridership?", search="And its ridership? Crescent Line weekday June")
    assert ScopeCheck().judge(follow_up, "36,500 [1].", _cited(quote, RIDERSHIP)).reason is not None


def test_an_answer_to_one_ask_of_two_stands_and_names_the_other() -> None:
    quote = "The company said a faulty thermostat supplied by an outside manufacturer was the cause."
    question = Question("What caused the kettle fault, and how many kettles were replaced?")
    verdict = ScopeCheck().judge(question, "A faulty thermostat caused it [1].", _cited(quote))
    assert verdict.reason is None
    assert verdict.unanswered == ("how many kettles were replaced",)
    missed_both = ScopeCheck().judge(Question("How many kettles were recalled, and how many were replaced?"),
                                     "A faulty thermostat caused it [1].", _cited(quote))
    assert missed_both.reason == "the question asks for a number; the answer gives none"

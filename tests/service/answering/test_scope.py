from datetime import date

import pytest

from service.answering.scope import CitedEvidence, ScopeCheck, period_start

RIDERSHIP = ("The Crescent Line carried an average of 36,500 weekday trips in April, the transit "
             "authority said. Ridership figures for May are due next month.")


def _cited(quote: str, text: str | None = None, title: str = "Ridership revised",
           published: str | None = "2025-05-20") -> list[CitedEvidence]:
    return [CitedEvidence(quote, text or quote, title, published)]


def test_a_quote_about_another_month_does_not_answer_for_the_month_asked() -> None:
    quote = "The Crescent Line carried an average of 36,500 weekday trips in April, the transit authority said."
    reason = ScopeCheck().mismatch("What was the Crescent Line's average weekday ridership in June?",
                                   "It was 36,500 in June.", _cited(quote, RIDERSHIP))
    assert reason is not None and "june" in reason and "month" in reason
    assert ScopeCheck().mismatch("What was the Crescent Line's average weekday ridership in April?",
                                 "It was 36,500.", _cited(quote, RIDERSHIP)) is None


def test_a_quote_that_names_no_month_defers_to_its_passage_and_its_date() -> None:
    question = "How many trips did the Crescent Line carry a weekday in May?"
    silent = "The line carried 36,500 trips a weekday, the authority said."
    assert ScopeCheck().mismatch(question, "36,500", _cited(silent, f"{silent} That was in May.")) is None
    assert ScopeCheck().mismatch(question, "36,500", _cited(silent)) is None, "published in May"
    assert ScopeCheck().mismatch(question, "36,500", _cited(silent, published="2025-08-01")) is not None


def test_quarters_match_however_they_are_written() -> None:
    quote = "The office revised its estimate of second-quarter growth down to 0.5%."
    text = f"{quote} A first estimate of third-quarter growth is due on November 13."
    third = ScopeCheck().mismatch("What was Westmark's GDP growth in the third quarter of 2025?",
                                  "Growth was 0.5%.", _cited(quote, text, published="2025-09-25"))
    assert third is not None and "quarter" in third
    assert ScopeCheck().mismatch("What was Westmark's growth in Q2 2025?", "0.5%",
                                 _cited(quote, text, published="2025-09-25")) is None


def test_an_article_cannot_report_a_period_that_began_after_it_was_published() -> None:
    quote = "The number of measles cases has risen to 37, and clinics will stay open until the end of March."
    cited = _cited(quote, published="2026-02-17")
    reason = ScopeCheck().mismatch("How many measles cases had Metro City recorded by the end of March 2026?",
                                   "Cases climbed to 37.", cited)
    assert reason is not None and "2026-03-01" in reason
    assert ScopeCheck().mismatch("How many measles cases are expected by the end of March 2026?",
                                 "Cases climbed to 37.", cited) is None, "a forecast may come before its period"
    assert ScopeCheck().mismatch("How many measles cases had Metro City recorded by March 2026?",
                                 "37", _cited(quote, published="2026-03-20")) is None


def test_the_mens_event_is_not_answered_from_the_womens() -> None:
    women = "Lea Brunner won the women's World Cup downhill in Valmora on Saturday."
    assert ScopeCheck().mismatch("Who won the men's downhill in Valmora?", "Lea Brunner",
                                 _cited(women, published="2024-12-14")) is not None
    both = f"{women} Tadesse Bekele won the men's race on Sunday."
    assert ScopeCheck().mismatch("Who won the men's downhill in Valmora?", "Tadesse Bekele",
                                 _cited(women, both, published="2024-12-14")) is None
    assert ScopeCheck().mismatch("Who won the women's downhill in Valmora?", "Lea Brunner",
                                 _cited(women, published="2024-12-14")) is None


def test_who_holds_an_office_is_answered_only_from_a_quote_that_names_the_office() -> None:
    quote = "\"Safety is our first priority,\" said Janet Okoro, Brightwell's vice president for product quality."
    assert ScopeCheck().mismatch("Who is the chief executive of Brightwell?", "Janet Okoro",
                                 _cited(quote)) is not None
    ceo = "Brightwell's chief executive, Marcus Lee, apologised to customers."
    assert ScopeCheck().mismatch("Who is the chief executive of Brightwell?", "Marcus Lee", _cited(ceo)) is None
    assert ScopeCheck().mismatch("Which state's governor wants to ban vaccine mandates?", "Florida",
                                 _cited("Florida Gov. Ron DeSantis wants a permanent ban.")) is None


def test_a_question_for_a_date_needs_a_date_in_the_answer() -> None:
    cited = _cited("The boring machine passed the 19.2-kilometre mark on Friday.", published="2024-06-14")
    question = "On what date did the two bores of the tunnel meet?"
    assert ScopeCheck().mismatch(question, "The machine passed the 19.2-kilometre mark on Friday.", cited)
    assert ScopeCheck().mismatch(question, "They met on June 12.", cited) is None


def test_a_question_for_a_number_needs_a_figure_in_the_answer() -> None:
    cited = _cited("McCarthy was elected speaker after 15 rounds of voting, the most since 1859.",
                   published="2023-01-07")
    question = "After how many rounds of voting was McCarthy elected speaker?"
    reason = ScopeCheck().mismatch(question, "McCarthy was elected after several rounds of voting [1].", cited)
    assert reason == "the question asks for a number; the answer gives none"
    assert ScopeCheck().mismatch(question, "After 15 rounds [1].", cited) is None
    assert ScopeCheck().mismatch(question, "After fifteen rounds [1].", cited) is None
    assert ScopeCheck().mismatch("Which year did voting begin?", "In 1859 [1].", cited) is None
    assert ScopeCheck().mismatch("Who was elected speaker?", "McCarthy [1].", cited) is None


def test_a_count_of_other_things_does_not_answer_how_many() -> None:
    quote = "The storm damaged or sank 260 boats at Kestrel Bay, the harbour master said."
    cited = _cited(quote, published="2024-10-08")
    question = "How many people died in Storm Delphine?"
    reason = ScopeCheck().mismatch(question, "260 boats were damaged or sunk at Kestrel Bay [1].", cited)
    assert reason == "the question asks how many people died in Storm Delphine; the answer counts boat"
    assert ScopeCheck().mismatch(question, "260 [1].", cited) is None, "a bare figure counts nothing"
    assert ScopeCheck().mismatch("How many boats did the storm sink?", "It sank 260 boats [1].", cited) is None


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
    reason = ScopeCheck().mismatch(
        question, "Northfield General Hospital leads the new stroke unit at Northfield General Hospital [1].", cited)
    assert reason == "the answer only repeats the question"
    assert ScopeCheck().mismatch(question, "Dr. Samuel Adeyemi leads it [1].", cited) is None


@pytest.mark.parametrize("question, answer", [
    ("Which is more expensive: the chip plant or the concert hall?", "The chip plant is more expensive."),
    ("Did the tunnel open in 2026?", "The tunnel did open in 2026."),
])
def test_a_choice_or_a_yes_no_answer_may_repeat_the_question(question: str, answer: str) -> None:
    assert ScopeCheck().mismatch(question, answer, _cited("The chip plant costs more.", published=None)) is None


def test_who_won_a_named_prize_is_answered_only_from_a_passage_that_names_it() -> None:
    grammys = _cited("Beyoncé became the most decorated artist in Grammy history with her 32nd win.",
                     title="Beyoncé breaks the Grammy record", published="2023-02-06")
    question = "Which author won the 2023 Booker Prize?"
    reason = ScopeCheck().mismatch(question, "Beyoncé won it [1].", grammys)
    assert reason is not None and "Booker" in reason
    booker = _cited("Paul Lynch won the Booker Prize for Prophet Song.", published="2023-11-27")
    assert ScopeCheck().mismatch(question, "Paul Lynch [1]", booker) is None
    assert ScopeCheck().mismatch("Who has the most Grammy wins?", "Beyoncé [1]", grammys) is None

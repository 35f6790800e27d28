"""The forms of a question and the asks it is made of."""

from __future__ import annotations

import pytest

from service.answering.question import Question


def test_a_question_that_needs_no_condensing_is_all_its_forms() -> None:
    question = Question("Who won?")
    assert (question.search, question.to_answer, question.forms) == ("Who won?", "Who won?", ("Who won?",))


def test_words_come_from_every_form() -> None:
    question = Question("Which models?", search="Which models? SteamPro kettles recall")
    assert {"model", "steampro", "kettle", "recall"} <= question.words()


@pytest.mark.parametrize("text, asks", [
    ("How many SteamPro kettles did Brightwell recall, and what caused the problem?",
     ("How many SteamPro kettles did Brightwell recall", "what caused the problem")),
    ("When did the tunnel open and where does it run?", ("When did the tunnel open", "where does it run")),
    ("Who won and by how much?", ("Who won and by how much",)),
    ("Which is larger: the farm or the plant?", ("Which is larger: the farm or the plant",)),
])
def test_a_question_splits_into_its_asks_where_and_leads_a_question_word(text: str, asks: tuple[str, ...]) -> None:
    assert Question(text).asks == asks

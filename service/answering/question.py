"""One question in the forms the pipeline reads it in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.words import terms

# Where a second ask begins: "and" before a question word ("How many kettles were recalled,
# and what caused the fault?"). "and" inside an ask ("Who won and by how much?") does not.
_NEXT_ASK = re.compile(r",?\s+and\s+(?=(?:what|who|whom|whose|when|where|why|how|which)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """``asked`` is the user's own words. ``search`` is what retrieval looks for (the API's
    ``standalone_question``); ``to_answer`` is what the answer must answer: the rewrite of a
    follow-up when one was used, else the follow-up itself. The passages found with the
    conversation's subject bring that subject to the generator, while a follow-up trailed
    by a list of words is no question for a model to answer (the 0.5B model described it
    instead: "The question asks about which models ..."). A question that needs no
    condensing is all three."""

    asked: str
    search: str = ""
    to_answer: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "search", self.search or self.asked)
        object.__setattr__(self, "to_answer", self.to_answer or self.asked)

    @property
    def forms(self) -> tuple[str, ...]:
        """The distinct wordings a check must accept the question in: what the user wrote
        and what was searched for."""
        return tuple(dict.fromkeys((self.asked, self.search, self.to_answer)))

    def words(self) -> set[str]:
        """Content words of every form: what an answer repeats from them claims nothing."""
        return {word for form in self.forms for word in terms(form)}

    @property
    def asks(self) -> tuple[str, ...]:
        """What the question asks, one part per ask: a question with two asks is answered
        part by part, and an answer that covers one of them stands for that one."""
        return split_asks(self.to_answer)


def split_asks(text: str) -> tuple[str, ...]:
    """The asks of a question's text, without their question marks."""
    return tuple(part.strip(" ?") for part in _NEXT_ASK.split(text) if part.strip(" ?"))

"""What a reader is told when an answer is withheld: one plain sentence per refusal code.

The code and its technical detail ("no passage is relevant enough: the best scores -10.6,
the minimum is -4.0") stay in the API's ``refusal`` for clients and for whoever tunes the
checks; a reader needs to know only whether the articles miss the subject or cover it
without the answer. The sentence is the refused answer's text and ``refusal.message``, so
the widget, OpenAI-compatible clients and any other front end say the same thing.
"""

from __future__ import annotations

from typing import Iterator

from service.answering.ask_service import AskRequest, Event
from service.answering.refusal import (GENERATOR_DECLINED, NO_RELEVANT_PASSAGE, OFF_SCOPE, UNSUPPORTED,
                                       YEAR_NOT_FOUND)
from service.observability.metered import MeteredAskService

SENTENCES = {
    NO_RELEVANT_PASSAGE: "The articles don't cover this.",
    YEAR_NOT_FOUND: "The articles don't cover this for the year you asked about.",
    GENERATOR_DECLINED: "The articles mention this but don't say what you asked.",
    UNSUPPORTED: "The articles mention this but don't say enough to answer it.",
    OFF_SCOPE: "The articles mention this but not for the period, event or detail you asked about.",
}


def explained(event: Event) -> Event:
    """A refusal's ``citations`` event with the reader's sentence as its answer and its
    ``refusal.message``; any other event as it was. A code without a sentence of its own
    keeps the general refusal text."""
    refusal = event.data.get("refusal") if event.type == "citations" else None
    if not refusal:
        return event
    message = SENTENCES.get(refusal["code"], event.data["answer"])
    return Event(event.type, {**event.data, "answer": message, "refusal": {**refusal, "message": message}})


class ReaderFacingAskService(MeteredAskService):
    """The counted ask service with refusals explained: ``ask`` collects ``stream``, so the
    JSON, Server-Sent Events and chat-completion answers all carry the sentence."""

    def stream(self, request: AskRequest) -> Iterator[Event]:
        for event in super().stream(request):
            yield explained(event)

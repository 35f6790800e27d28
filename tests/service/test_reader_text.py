"""Refusals in plain words: every refusal code has a reader's sentence, which replaces the
refused answer's text and joins the code and the technical detail."""

from __future__ import annotations

from service.answering import refusal
from service.answering.ask_service import Event
from service.reader_text import SENTENCES, explained

DETAIL = "no passage is relevant enough: the best scores -10.6, the minimum is -4.0"


def _citations(code: str | None) -> Event:
    return Event("citations", {"answer": "The ingested articles do not answer this question.",
                               "citations": [], "refused": code is not None,
                               "refusal": {"code": code, "detail": DETAIL} if code else None})


def test_every_refusal_code_has_a_plain_sentence() -> None:
    codes = {value for name, value in vars(refusal).items()
             if name.isupper() and not name.startswith("_") and isinstance(value, str)}
    assert codes == set(SENTENCES)
    for sentence in SENTENCES.values():
        assert sentence.startswith("The articles ") and sentence.endswith(".")
        assert not any(ch.isdigit() for ch in sentence) and "passage" not in sentence


def test_a_refusal_reads_as_its_sentence_and_keeps_its_detail() -> None:
    event = explained(_citations(refusal.NO_RELEVANT_PASSAGE))
    assert event.data["answer"] == "The articles don't cover this."
    assert event.data["refusal"] == {"code": refusal.NO_RELEVANT_PASSAGE, "detail": DETAIL,
                                     "message": "The articles don't cover this."}


def test_answers_other_events_and_unknown_codes_keep_their_text() -> None:
    answer = _citations(None)
    assert explained(answer) is answer
    tokens = Event("token", {"text": "Brightwell "})
    assert explained(tokens) is tokens
    unknown = explained(_citations("new_check"))
    assert unknown.data["answer"] == unknown.data["refusal"]["message"] \
        == "The ingested articles do not answer this question."

"""The subject check on a catalog whose counts a test sets: the question's words weighted
by rarity, a short brief left unjudged, the threshold and its off switch."""

from __future__ import annotations

from typing import Sequence

import pytest

from ingest.store.records import DocumentRecord
from service.answering.subject import MIN_JUDGED_WORDS, SubjectCheck

FILLER = " ".join(["The council met on Tuesday and the board said more would follow."] * 10)


class CountedCatalog:
    """``term_counts`` and ``get_many`` of a catalog of 1,000 chunks."""

    def __init__(self, counts: dict[str, int], texts: dict[str, str]) -> None:
        self._counts = counts
        self._texts = texts

    def term_counts(self, words: Sequence[str]) -> tuple[int, dict[str, int]]:
        return 1000, {w: self._counts.get(w, 0) for w in words}

    def get_many(self, doc_ids: Sequence[str]) -> dict[str, DocumentRecord]:
        return {d: DocumentRecord(doc_id=d, content_hash="h", title="t", text=self._texts[d], url=None,
                                  published=None, source=None, author=None, origin="test", n_chunks=1,
                                  ingested_at="2026-01-01")
                for d in doc_ids if d in self._texts}


COUNTS = {"booker": 2, "prize": 30, "author": 80, "won": 400, "2023": 600}
QUESTION = "Which author won the 2023 Booker Prize?"


def test_a_missing_rare_word_weighs_more_than_missing_common_ones() -> None:
    texts = {"grammys": f"Beyoncé won four prizes in 2023, a record for the show. {FILLER}",
             "booker": f"The Booker went to a first novel in 2023; its author thanked the prize jury. {FILLER}"}
    check = SubjectCheck(CountedCatalog(COUNTS, texts), min_share=0.5)
    grammys, booker = check.coverage(QUESTION, ["grammys"]), check.coverage(QUESTION, ["booker"])
    assert grammys.missing[0] == "booker" and grammys.share < 0.5
    assert booker.share > 0.5 and "booker" not in booker.missing
    assert "words by rarity" in check.judge(QUESTION, ["grammys"], []) and check.judge(QUESTION, ["booker"], []) is None
    assert check.judge(QUESTION, ["grammys", "booker"], []) is None, "the cited articles count together"
    assert check.judge(QUESTION, ["grammys"], ["grammys", "booker"]) is None, "so do the two first retrieved"
    assert check.judge(QUESTION, ["grammys"], ["grammys", "grammys", "booker"]) is not None


def test_a_brief_too_short_to_tell_and_a_zero_threshold_judge_nothing() -> None:
    brief = "Beyoncé won four prizes in 2023."
    assert len(brief.split()) < MIN_JUDGED_WORDS
    check = SubjectCheck(CountedCatalog(COUNTS, {"brief": brief}), min_share=0.5)
    assert check.coverage(QUESTION, ["brief"]).share == 1.0 and check.judge(QUESTION, ["brief"], []) is None
    assert check.judge(QUESTION, ["brief"], ["brief", "brief"]) is None
    briefs = SubjectCheck(CountedCatalog(COUNTS, {"brief": brief, "long": f"Beyoncé. {FILLER}"}), min_share=0.5)
    assert briefs.judge(QUESTION, ["brief"], ["long"]) is None, "a brief among them is never judged"
    assert briefs.judge(QUESTION, ["long"], []) is not None
    off = SubjectCheck(CountedCatalog(COUNTS, {"long": f"Beyoncé. {FILLER}"}), min_share=0.0)
    assert off.judge(QUESTION, ["long"], []) is None


@pytest.mark.parametrize("question", ["", "what is it?"])
def test_a_question_without_content_words_is_not_judged(question: str) -> None:
    check = SubjectCheck(CountedCatalog(COUNTS, {"long": FILLER}), min_share=0.5)
    assert check.judge(question, ["long"], []) is None

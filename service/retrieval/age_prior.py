"""A news question asked on a day is about that day's news, unless it names its period.

The cross-encoder scores passages by what they say, not when they said it: asked on
2023-01-19 "Which country's prime minister unexpectedly announced that she will resign
within weeks?", it put a review of 2022 (Liz Truss) above the report of that morning
(Jacinda Ardern), and the model answered from the first passage. Scraped pages make this
common: a search result page of any year reads like this week's. So each reranked passage
loses ``weight`` logits per doubling of ``1 + age / days``, its age counted back from the
question's date: a day-old report keeps nearly all of its score, a month-old one loses
about 1.8 logits at the default, a three-year-old one about 4.3. The penalty grows with the
logarithm of age, so it separates this week from last year but barely moves two old
archive pieces apart, and a strong match still beats a weak recent one. A question that
names a year ("the 2019 election") is about that year, and is left to relevance alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from ingest.words import years
from service.retrieval.passages import Passage


@dataclass(frozen=True)
class AgePrior:
    """``weight`` 0 turns the prior off."""

    weight: float = 0.5
    days: float = 3.0

    def applies(self, question: str) -> bool:
        return self.weight > 0 and not years(question)

    def apply(self, passages: Sequence[Passage], reference: date) -> None:
        """Lowers each passage's ``score`` (its ``relevance``, which refusals read, stays the
        cross-encoder's) and records the penalty in ``scores["age"]``. An undated passage
        counts as old as the oldest dated one, so that a missing date is never an advantage."""
        ages = [max((reference - date.fromisoformat(p.published[:10])).days, 0) if p.published else None
                for p in passages]
        oldest = max((age for age in ages if age is not None), default=0)
        for p, age in zip(passages, ages):
            penalty = self.weight * math.log2(1 + (oldest if age is None else age) / self.days)
            p.scores["age"] = -penalty
            p.score -= penalty

"""Whether the articles an answer cites are about the story the question asks about.

The citation check holds each sentence to its quote, which catches what a sentence adds to
the question. It cannot catch an answer that adds only a name the quote holds: asked which
company will delete accounts left inactive for two years, the model answered "Facebook"
from a page about Donald Trump's return to Facebook, and asked which author won the 2023
Booker Prize, "Beyoncé" from a page about the Grammys. Both quotes hold the answer; neither
article says a word about inactive accounts or the Booker Prize. What marks the story a
question asks about is its rarest words ("inactive", "Booker", "Scobie"), not its common
ones ("company", "won", "week"). So the articles an answer rests on must hold at least
``min_share`` of the question's content words, each weighted by how rare it is in the
collection (its inverse document frequency over chunks), or the answer is withheld.
Those articles are the ones it cites and the ``LEADING_RETRIEVED`` the retriever ranked
first: a comparison or a question that joins two stories cites the one its answer names,
while the other is among the first retrieved (on the sample gold set, the cited articles
alone withheld 3 to 4 right answers of such questions, with the two first retrieved
none). Words are compared by their stems, so "deleting" is held by "deleted". One
function, one threshold; the README gives what it caught and cost on the gold set and
both dev benches.

Where any of those articles is shorter than ``MIN_JUDGED_WORDS``, nothing is judged (two
briefs together are still briefs): a brief of two sentences tells the story in its own
words ("Amazon plans to lay off more than 18,000 employees" for "the latest tech giant to
announce significant layoffs") and holds too few of them for an absence to mean anything.
On rtqa-dev, whose evidence notes are all such briefs, the check would otherwise have
withheld 39 of the 54 right extractive answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from ingest.store.catalog import Catalog
from ingest.words import stems, terms

MIN_JUDGED_WORDS = 100
LEADING_RETRIEVED = 2


@dataclass(frozen=True)
class Coverage:
    """``share`` of the question's weight the cited articles hold; ``missing`` its words
    they lack, rarest first."""

    share: float
    missing: tuple[str, ...]


class SubjectCheck:
    def __init__(self, catalog: Catalog, *, min_share: float) -> None:
        self._catalog = catalog
        self._min_share = min_share

    def coverage(self, question: str, doc_ids: Sequence[str]) -> Coverage:
        # Each stem stands for the question's word it came from, as a reader would name it.
        words = {stem: word for word in reversed(terms(question)) for stem in stems(word)}
        if not words:
            return Coverage(1.0, ())
        docs = self._catalog.get_many(list(dict.fromkeys(doc_ids)))
        texts = [f"{doc.title}\n{doc.text}" for doc in docs.values()]
        if not texts or min(len(text.split()) for text in texts) < MIN_JUDGED_WORDS:
            return Coverage(1.0, ())
        held = frozenset().union(*(stems(text) for text in texts))
        total, counts = self._catalog.term_counts(list(words))
        weight = {w: math.log((total + 1) / (counts.get(w, 0) + 1)) for w in words}
        whole = sum(weight.values())
        if whole <= 0:
            return Coverage(1.0, ())
        missing = sorted((w for w in words if w not in held), key=lambda w: -weight[w])
        return Coverage(1 - sum(weight[w] for w in missing) / whole, tuple(words[w] for w in missing))

    def judge(self, question: str, cited: Sequence[str], retrieved: Sequence[str]) -> str | None:
        """Why the articles of ``cited`` and the first of ``retrieved`` (document ids, best
        first) are about another story, or None."""
        if self._min_share <= 0:
            return None
        found = self.coverage(question, [*cited, *retrieved[:LEADING_RETRIEVED]])
        if found.share >= self._min_share:
            return None
        # The words themselves stay out: a refusal's detail is logged, and logs never hold
        # what users asked.
        return (f"the articles it rests on hold {found.share:.0%} of the question's words by rarity "
                f"(the minimum is {self._min_share:.0%}); {len(found.missing)} of its words are missing")

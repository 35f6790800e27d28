"""A later report that updates an earlier one goes first.

News stories get revised: an attendance figure is cut after an audit, an opening date
slips, a growth estimate is revised down. The cross-encoder scores the update and the
report it corrects alike (0.6-2.2 logits apart for the sample corpus's revised stories),
so either may lead, and readers take the first passage at its word: the extractive
answer quoted July's "212,000" while the audit's "168,000" came second.
"""

from __future__ import annotations

from service.answering.terms import figures
from service.retrieval.passages import Passage


def update_first(passages: list[Passage], margin: float) -> None:
    """Moves to the front the latest passage, from another and later article, that scores
    within ``margin`` of the best one and repeats one of its figures. Repeating the old
    figure is how an update reads ("not the record 212,000 announced in July", "18 months
    later than the December 2026 date"); a later story that shares no figure (a follow-up
    on another aspect of the same news) keeps its place. ``passages`` are best first."""
    if not passages or margin <= 0:
        return
    best = passages[0]
    shown = figures(best.text)
    updates = [p for p in passages[1:]
               if p.doc_id != best.doc_id and p.published and p.published > (best.published or "")
               and p.score >= best.score - margin and figures(p.text) & shown]
    if updates:
        latest = max(updates, key=lambda p: p.published or "")
        passages.remove(latest)
        passages.insert(0, latest)

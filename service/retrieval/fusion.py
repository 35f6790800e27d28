"""Reciprocal rank fusion: combines rankings whose scores are not comparable."""

from __future__ import annotations

from typing import Sequence


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], *, k: int = 60,
                           weights: Sequence[float] | None = None) -> dict[str, float]:
    """``sum(w / (k + rank))`` over the rankings an id appears in; rank counts from 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused

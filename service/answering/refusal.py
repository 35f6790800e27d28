"""When to refuse: before generation, if retrieval found nothing relevant enough; after
generation, if the model itself says the passages do not answer, or if no sentence of its
answer is supported by any passage (an answer from model memory)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from service.retrieval.passages import Passage

_MODEL_REFUSAL = re.compile(
    r"not in (the )?articles|(do|does|did) not (say|mention|contain|provide|specify|state)"
    r"|no (information|mention)|(cannot|can't|unable to) (answer|determine|find)"
    r"|not (mentioned|specified|provided|stated)|i (don't|do not) know",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RefusalPolicy:
    """Thresholds on the top passage's relevance: a cross-encoder logit when reranking is
    on, a cosine similarity otherwise. Tuned on the sample corpus's gold set."""

    min_rerank_logit: float = 0.0
    min_dense_similarity: float = 0.45

    def nothing_relevant(self, passages: Sequence[Passage]) -> bool:
        if not passages:
            return True
        top = passages[0]
        if "rerank" in top.scores:
            return top.scores["rerank"] < self.min_rerank_logit
        return max(p.scores.get("dense", 0.0) for p in passages) < self.min_dense_similarity

    @staticmethod
    def model_refused(answer: str) -> bool:
        return bool(_MODEL_REFUSAL.search(answer)) or not answer.strip()

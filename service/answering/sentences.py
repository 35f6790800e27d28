"""Ranking the sentences of retrieved passages against a question.

Both generators need the few sentences that bear on the question: the extractive one
answers with them, the chat one puts only them in its prompt. Word overlap alone misses
paraphrase ("scored the winning goal" / "scored the winner"), so it is blended with the
embedder's cosine similarity; instruction-like sentences and labels are never candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ingest.chunking import sentence_spans
from ingest.embedder import Embedder
from service.answering.injection import looks_like_instruction
from ingest.words import stems
from service.retrieval.passages import Passage
from service.retrieval.turns import Turns

# A line of its own this short and without closing punctuation is a label, such as the
# section heading "Affected models": it names what follows and states nothing, yet it
# shares a short question's words ("Which models?") and, being short, its meaning most.
LABEL_MAX_WORDS = 2


def _is_label(text: str, start: int, end: int) -> bool:
    """Whether the sentence ``text[start:end]`` is a label line (see ``LABEL_MAX_WORDS``)."""
    sentence = text[start:end]
    alone = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")
    return alone and len(sentence.split()) <= LABEL_MAX_WORDS and sentence[-1:].isalnum()


@dataclass(frozen=True)
class RankedSentence:
    """``matched`` are the question's words the sentence holds, each of which added
    ``credit`` to its score."""

    score: float
    passage_index: int
    position: int
    text: str
    matched: frozenset[str] = frozenset()
    credit: float = 0.0


class SentenceRanker:
    def __init__(self, embedder: Embedder | None, *, semantic_weight: float = 0.6,
                 rank_prior: float = 0.1, turns: Turns | None = None) -> None:
        """``turns`` are the ones searches take: embedding the sentences is the other
        CPU-bound step of an answer, and 16 answers embedding at once on 2 cores held
        16 encoder runs' memory at a time."""
        self._embedder = embedder
        self._turns = turns or Turns.per_core()
        self._semantic_weight = semantic_weight
        self._rank_prior = rank_prior

    def rank(self, question: str, passages: Sequence[Passage]) -> list[RankedSentence]:
        """Best first. Chunks of one article overlap, so a sentence retrieved twice is ranked
        once, in its best-ranked passage: shown twice, it took the prompt room of another."""
        return self.rank_each([question], passages)[0]

    def rank_each(self, questions: Sequence[str], passages: Sequence[Passage]) -> list[list[RankedSentence]]:
        """``rank`` for each of several questions (the asks of one question) over the same
        passages, whose sentences are embedded once for all of them."""
        found: list[tuple[int, int, str]] = []
        seen: set[tuple[str, str]] = set()
        for index, passage in enumerate(passages):
            for position, (start, end) in enumerate(sentence_spans(passage.text)):
                sentence = passage.text[start:end]
                key = (passage.doc_id, sentence.strip())
                if key not in seen and not looks_like_instruction(sentence) \
                        and not _is_label(passage.text, start, end):
                    seen.add(key)
                    found.append((index, position, sentence))
        if not found:
            return [[] for _ in questions]
        similarities = self._similarities(questions, [s for _, _, s in found])
        return [self._ranked(question, found, semantic) for question, semantic in zip(questions, similarities)]

    def _ranked(self, question: str, found: Sequence[tuple[int, int, str]],
                semantic: list[float]) -> list[RankedSentence]:
        wanted = stems(question)
        held = [wanted & stems(s) for _, _, s in found]
        w = self._semantic_weight if semantic else 0.0
        credit = (1 - w) / len(wanted) if wanted else 0.0
        ranked = [
            RankedSentence(credit * len(matched) + w * (semantic[i] if semantic else 0.0)
                           + self._rank_prior / (1 + index), index, position, sentence, matched, credit)
            for i, ((index, position, sentence), matched) in enumerate(zip(found, held))
        ]
        return sorted(ranked, key=lambda r: -r.score)

    def _similarities(self, questions: Sequence[str], sentences: list[str]) -> list[list[float]]:
        """Cosine similarity of each sentence to each question; empty lists without an
        embedder."""
        if self._embedder is None:
            return [[] for _ in questions]
        with self._turns:
            vectors = self._embedder.embed_documents([*questions, *sentences])
        found = vectors[len(questions):]
        return [[sum(a * b for a, b in zip(q, v)) for v in found] for q in vectors[:len(questions)]]
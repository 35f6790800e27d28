"""What retrieval hands to answering: passages that know where they come from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Passage:
    """A chunk of a stored article; ``start``/``end`` index the article's clean text.

    ``relevance`` is the score refusal decisions use: the cross-encoder logit when the
    passage was reranked, else the cosine similarity to the question.
    """

    chunk_id: str
    doc_id: str
    title: str
    text: str
    start: int
    end: int
    url: str | None
    source: str | None
    published: str | None
    score: float = 0.0
    relevance: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def rerank_logit(self) -> float | None:
        """The cross-encoder's logit; None when reranking was off, since a cosine is on
        another scale and cannot be held to a logit threshold."""
        return self.scores.get("rerank")

    def as_dict(self) -> dict[str, object]:
        return {
            "chunk_id": self.chunk_id, "doc_id": self.doc_id, "title": self.title,
            "url": self.url, "source": self.source, "published": self.published,
            "text": self.text, "start": self.start, "end": self.end,
            "score": round(self.score, 6), "relevance": round(self.relevance, 4),
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
        }

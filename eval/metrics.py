"""Scoring functions, pure and deterministic, so that a metric can be unit-tested on
hand-made inputs and a regression is never the scorer's fault.

Retrieval metrics are document-level over ranked passages: a gold document is found at
rank r when the r-th passage is one of its chunks.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Iterable, Sequence

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
                         "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_MARKER = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# Punctuation goes, except a '.', '-', ':' or '/' between two digits (1.9, 2024-25, 9:30).
_PUNCT = re.compile(r"(?!(?<=\d)[.\-:/]\d)(?:[^\w\s]|_)")
_SPACE = re.compile(r"\s+")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def normalize(text: str) -> str:
    """NFKC, lower case, one kind of quote and dash, no ``[n]`` markers, no thousands
    separators, "&" read as "and", no articles (as SQuAD scores answers: "the Eagles and
    the Chiefs" answers "Eagles & Chiefs"), punctuation and whitespace collapsed to single
    spaces."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_QUOTES).replace("&", " and ")
    text = _THOUSANDS.sub("", _MARKER.sub(" ", text))
    return _SPACE.sub(" ", _ARTICLES.sub(" ", _PUNCT.sub(" ", text))).strip()


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """True when a normalised answer occurs in the normalised text on word boundaries
    ("Sato" is not found in "Satoshi")."""
    haystack = f" {normalize(text)} "
    return any(needle and f" {needle} " in haystack for needle in (normalize(a) for a in answers))


def token_f1(prediction: str, answers: Iterable[str]) -> float:
    """Best bag-of-tokens F1 between the prediction and any accepted answer."""
    predicted = normalize(prediction).split()
    best = 0.0
    for answer in answers:
        gold = normalize(answer).split()
        common = sum((Counter(predicted) & Counter(gold)).values())
        if common:
            precision, recall = common / len(predicted), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def choice_correct(answer: str, choices: Sequence[str], gold: str) -> float | None:
    """For multiple-choice benchmarks, whose gold strings are often not the articles' words
    ("Southwest Airlines" for an article about "Southwest passengers"): 1.0 when the choice
    that shares the largest share of its words with the answer is the gold one. A tie or
    no overlap at all counts as wrong; None without choices."""
    if not choices:
        return None
    said = set(normalize(answer).split())
    overlap = []
    for choice in choices:
        words = set(normalize(choice).split())
        overlap.append(len(words & said) / len(words) if words else 0.0)
    best = max(overlap)
    picked = [c for c, o in zip(choices, overlap) if o == best]
    return float(best > 0 and len(picked) == 1 and normalize(picked[0]) == normalize(gold))


def recall_at_k(ranked_doc_ids: Sequence[str], gold_doc_ids: Iterable[str], k: int) -> float | None:
    """Share of the gold documents with a chunk among the first ``k`` passages; None when
    the question has no gold documents."""
    gold = set(gold_doc_ids)
    if not gold:
        return None
    return len(gold & set(ranked_doc_ids[:k])) / len(gold)


def reciprocal_rank(ranked_doc_ids: Sequence[str], gold_doc_ids: Iterable[str], k: int) -> float | None:
    """1/rank of the first passage from a gold document within the first ``k``, else 0."""
    gold = set(gold_doc_ids)
    if not gold:
        return None
    for rank, doc_id in enumerate(ranked_doc_ids[:k], start=1):
        if doc_id in gold:
            return 1.0 / rank
    return 0.0


def answer_bearing(passage_texts: Sequence[str], answers: Sequence[str], k: int) -> float | None:
    """1.0 when an accepted answer occurs in one of the first ``k`` passages: retrieval that
    found the answer even where it is not the labelled evidence document."""
    if not answers:
        return None
    return float(any(contains_answer(text, answers) for text in passage_texts[:k]))


def citation_precision(citations: Sequence[tuple[str, str]], gold_doc_ids: Iterable[str],
                       answers: Sequence[str]) -> float | None:
    """Share of ``(doc_id, quote)`` citations that come from a gold document or whose quote
    contains an accepted answer; None when nothing was cited."""
    if not citations:
        return None
    gold = set(gold_doc_ids)
    good = sum(1 for doc_id, quote in citations
               if doc_id in gold or (answers and contains_answer(quote, answers)))
    return good / len(citations)


def citation_recall(cited_doc_ids: Iterable[str], gold_doc_ids: Iterable[str]) -> float | None:
    """Share of the gold documents that the answer cites; None without gold documents."""
    gold = set(gold_doc_ids)
    if not gold:
        return None
    return len(gold & set(cited_doc_ids)) / len(gold)


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that apply (None means "not applicable", never zero)."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (the numpy default), ``q`` in [0, 100]."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rounded(value: float | None, digits: int = 4) -> float | None:
    """Rounds for reports and baselines, so that float noise never shows up as a delta."""
    return None if value is None else round(value, digits)

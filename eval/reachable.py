"""Whether a question's answer is in the index at all, within the dates the question may
use. It bounds answer-bearing recall and answer accuracy from above: on a benchmark whose
gold strings are not the articles' words, it tells a weak retriever from an answer that no
retriever could have found."""

from __future__ import annotations

from typing import Sequence

from eval import metrics
from ingest.store.catalog import Catalog
from ingest.store.records import SearchFilters

LEXICAL_DEPTH = 50


def answer_in_index(catalog: Catalog, answers: Sequence[str], filters: SearchFilters) -> float | None:
    """1.0 when an article that ``filters`` admit contains an accepted answer in its text.
    Articles come from a full-text search for each answer, ``LEXICAL_DEPTH`` deep, so an
    answer made only of words the full-text index drops counts as absent."""
    if not answers:
        return None
    doc_ids = {doc for answer in answers
               for _, doc, _ in catalog.lexical_search(answer, LEXICAL_DEPTH, filters)}
    docs = catalog.get_many(sorted(doc_ids))
    return float(any(metrics.contains_answer(doc.text, answers) for doc in docs.values()))

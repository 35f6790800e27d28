"""Content words for support checks: lower-cased, stop words dropped, thousands separators
and plural ``s`` removed, so "48,000 kettles" and "48000 kettle" count as the same."""

from __future__ import annotations

import re

from ingest.store.catalog import STOPWORDS

_WORD = re.compile(r"[\w$€£%]+(?:[.,'’][\w]+)*", re.UNICODE)


def terms(text: str) -> list[str]:
    found = []
    for raw in _WORD.findall(text.lower()):
        word = raw.replace("’", "'")
        if re.fullmatch(r"[\d.,]+", word):
            word = word.replace(",", "").rstrip(".")
        elif word.endswith("'s"):
            word = word[:-2]
        if word in STOPWORDS or not word:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.append(word)
    return found


def overlap(claim: set[str], evidence: set[str]) -> float:
    """Share of the claim's content words that the evidence contains."""
    if not claim:
        return 0.0
    return len(claim & evidence) / len(claim)

"""What a claim's figures are and what they count, read off the words of ``ingest.words``."""

from __future__ import annotations

import re

from ingest.words import terms, years

_DIGIT = re.compile(r"\d")
_ENDS_CLAUSE = re.compile(r"[,.;:!?)]$")
_SPACED = re.compile(r"\S+")
_SCALES = {"million", "billion", "trillion"}


def figures(text: str) -> set[str]:
    """Figures of two or more digits other than years ("212,000", "0.8%", "$1.2bn"): two
    reports that share one are about the same measured thing, where a shared year or a
    bare "5" says little."""
    named = years(text)
    return {t for t in terms(text) if len(_DIGIT.findall(t)) >= 2 and t not in named}


def overlap(claim: set[str], evidence: set[str]) -> float:
    """Share of the claim's content words that the evidence contains."""
    if not claim:
        return 0.0
    return len(claim & evidence) / len(claim)


def counted_things(text: str) -> dict[str, set[str]]:
    """What each figure counts: the word right after it ("38,000 homes" -> home). A figure
    followed by punctuation or a stop word ("rose to 37, officials said") counts nothing
    that can be read off, and a scale word is part of the figure."""
    found: dict[str, set[str]] = {}
    pieces = _SPACED.findall(text)
    for piece, following in zip(pieces, pieces[1:]):
        figure = terms(piece)
        if len(figure) != 1 or not _DIGIT.search(figure[0]) or _ENDS_CLAUSE.search(piece):
            continue
        thing = terms(following)
        if thing and not _DIGIT.search(thing[0]) and thing[0] not in _SCALES:
            found.setdefault(figure[0], set()).add(thing[0])
    return found

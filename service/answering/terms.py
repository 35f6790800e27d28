"""Content words for support checks: lower-cased, stop words dropped, thousands separators
and plural ``s`` removed, so "48,000 kettles" and "48000 kettle" count as the same."""

from __future__ import annotations

import re

import Stemmer

from ingest.store.catalog import STOPWORDS

_WORD = re.compile(r"[\w$€£%]+(?:[.,'’][\w]+)*", re.UNICODE)
# A term that is a year: years place a claim in time, so checks treat them apart from other figures.
YEAR = re.compile(r"(?:19|20)\d\d")
_DIGIT = re.compile(r"\d")
_ENDS_CLAUSE = re.compile(r"[,.;:!?)]$")
_TOKEN = re.compile(r"\S+")
_SCALES = {"million", "billion", "trillion"}
_STEMMER = Stemmer.Stemmer("english")


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


def stems(text: str) -> frozenset[str]:
    """Content words cut to their Snowball stems, for matching across word forms: a
    question's "covered" finds a sentence's "covers". The support checks keep whole words,
    where "organ" must not vouch for "organizers"."""
    return frozenset(_STEMMER.stemWords(terms(text)))


def figures(text: str) -> set[str]:
    """Figures of two or more digits other than years ("212,000", "0.8%", "$1.2bn"): two
    reports that share one are about the same measured thing, where a shared year or a
    bare "5" says little."""
    return {t for t in terms(text) if len(_DIGIT.findall(t)) >= 2 and not YEAR.fullmatch(t)}


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
    tokens = _TOKEN.findall(text)
    for token, following in zip(tokens, tokens[1:]):
        figure = terms(token)
        if len(figure) != 1 or not _DIGIT.search(figure[0]) or _ENDS_CLAUSE.search(token):
            continue
        thing = terms(following)
        if thing and not _DIGIT.search(thing[0]) and thing[0] not in _SCALES:
            found.setdefault(figure[0], set()).add(thing[0])
    return found

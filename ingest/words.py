"""How text becomes words, once for the whole product: the catalog's full-text queries, the
retrieval and answering checks and the follow-up test all read a text through these
functions, so that "kettles" in a question and "kettle" in an article are the same word
everywhere, and a fix to tokenising reaches every reader at once."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

STOPWORDS = frozenset(
    "a an and are as at be but by did do does for from had has have he her his how i if in "
    "into is it its me my of on or our she so than that the their them then there these they "
    "this those to us was we were what when where which who whom why will with would you your "
    "about after again also any can could should".split()
)
# Words as a person reads them: letters with inner apostrophes and hyphens ("Women's",
# "K-200"). The follow-up test and the claim checks look at these before normalising.
_TOKEN = re.compile(r"[\w'’-]+")
# Words as a claim check reads them: figures keep their separators and units ("$1.2bn",
# "48,000", "0.8%") until ``terms`` normalises them.
_WORD = re.compile(r"[\w$€£%]+(?:[.,'’][\w]+)*", re.UNICODE)
_FTS_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"[\d.,]+")
# A year as articles write it: four digits from 1900 to 2099 with no thousands separator,
# decimal point, currency or percent attached, so "2,000 homes" and "$2010" are figures.
_YEAR_IN_TEXT = re.compile(r"(?<![\w$€£.,])(?:19|20)\d\d(?![\w%]|[.,]\d)")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_STEMMER = Stemmer.Stemmer("english")


def tokens(text: str) -> list[str]:
    """The words of ``text`` as written, case and all."""
    return _TOKEN.findall(text)


def query_terms(query: str) -> list[str]:
    """The question's content words for full-text search, lower-cased, each once. Only word
    characters survive, so no user punctuation can ever be read as full-text query syntax
    by either catalog engine."""
    found: list[str] = []
    for term in _FTS_WORD.findall(query.lower()):
        if term not in STOPWORDS and term not in found:
            found.append(term)
    return found


def terms(text: str) -> list[str]:
    """Content words for support checks: lower-cased, stop words dropped, thousands
    separators and a plural ``s`` removed, so "48,000 kettles" and "48000 kettle" count as
    the same. The ``s`` goes only where the stemmer agrees that both forms are one word:
    "news" is no plural of "new"."""
    found = []
    for raw in _WORD.findall(text.lower()):
        word = raw.replace("’", "'")
        if _NUMBER.fullmatch(word):
            word = word.replace(",", "").rstrip(".")
        elif word.endswith("'s"):
            word = word[:-2]
        if word in STOPWORDS or not word:
            continue
        found.append(_singular(word))
    return found


@lru_cache(maxsize=65536)
def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        one = word[:-1]
        if _STEMMER.stemWord(one) == _STEMMER.stemWord(word):
            return one
    return word


def stems(text: str) -> frozenset[str]:
    """Content words cut to their Snowball stems, for matching across word forms: a
    question's "covered" finds a sentence's "covers". The support checks keep whole words,
    where "organ" must not vouch for "organizers"."""
    return frozenset(_STEMMER.stemWords(terms(text)))


def years(text: str) -> set[str]:
    """The years ``text`` names, as ``terms`` spells them."""
    return set(_YEAR_IN_TEXT.findall(text))


def without_years(text: str) -> str:
    """``text`` with the years it names taken out."""
    return _YEAR_IN_TEXT.sub("", text)


def month_published(published: str | None) -> str:
    """The month of an ISO date, as the word a question names it by ("" without one)."""
    return MONTHS[int(published[5:7]) - 1] if published and len(published) >= 7 else ""

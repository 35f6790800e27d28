"""Whether the passages an answer cites are about what the question asks.

The citation check makes sure that what an answer adds is written in its evidence. It
cannot see that the evidence is about April when the question asked about June: the
answer then repeats "June" from the question around April's figure, and every word it adds
is in the quote. Small models turn near misses into answers this way when they are told to
answer whatever the passages word differently. These checks look at the question's own
qualifiers instead: its month or quarter, a period the cited articles were written before,
the men's or the women's event, the office it asks about, the prize whose winner it asks
for, a date or a number when it asks for one, and what the number counts when it asks how
many.
An answer that only repeats the question ("Which hospital leads the unit?" -> "The hospital
leads the unit") passes every one of them and answers nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

from service.answering.citations import MARKER_GROUP
from service.answering.terms import YEAR, counted_things, stems, terms

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
# "May" and "March" are months only when capitalised ("prices may rise", "crowds march").
_MONTH = re.compile(r"\b((?i:" + "|".join(m for m in MONTHS if m not in ("may", "march")) + r")|March|May)\b")
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter\b|\bq([1-4])\b",
                      re.IGNORECASE)
_SEX = re.compile(r"\b(men|women)(?:'s|’s)", re.IGNORECASE)
_OFFICE = re.compile(
    r"\bwho (?:is|was|are|were|became|becomes|will be|has been)\b[^?]*?\b(chief executive|ceo|"
    r"chair(?:man|woman|person)?|president|prime minister|minister|mayor|governor|coach|"
    r"spokes(?:person|man|woman)|founder|editor|director)\b", re.IGNORECASE)
# "won the 2023 Booker Prize": the capitalised words before the kind of prize name it.
_PRIZE = re.compile(r"\b(?:won|wins?|winners? of)\s+(?:the\s+)?(?:\d{4}\s+)?((?:[A-Z][\w'’-]*\s+)+)"
                    r"(?:Prize|Award|Medal|Trophy)\b")
_ASKS_DATE = re.compile(r"\b(?:what|which) date\b", re.IGNORECASE)
_GIVES_DATE = re.compile(_MONTH.pattern + r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}\b")
_ASKS_NUMBER = re.compile(r"\bhow (?:many|much|old)\b|\b(?:what|which) (?:year|percentage|proportion)\b",
                          re.IGNORECASE)
# A figure in digits or words; "none" and "twice" answer "how many" too, "several" does not.
_GIVES_NUMBER = re.compile(
    r"\d|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|halves|thirds?|"
    r"quarters?|fifths?|tenths?|once|twice|none|nothing|nobody|no one|doubled?|tripled?|halved)\b",
    re.IGNORECASE)
# What a question asks for, and what an answer to it must contain.
_KINDS = ((_ASKS_DATE, _GIVES_DATE, "a date"), (_ASKS_NUMBER, _GIVES_NUMBER, "a number"))
# Questions whose answer may repeat them word for word: a choice between the alternatives
# they name, or yes or no.
_CHOICE = re.compile(r"\bor\b", re.IGNORECASE)
_YES_NO = re.compile(r"^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b",
                     re.IGNORECASE | re.MULTILINE)
_HOW_MANY = re.compile(r"\bhow many\b([^?]*)", re.IGNORECASE)
_FORWARD = re.compile(r"\b(?:will|expected|expects?|forecasts?|plans?|planned|due|scheduled|projected|"
                      r"predicted|predicts?|set to|going to)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CitedEvidence:
    """One cited passage: the quote that supports the claim and the passage around it."""

    quote: str
    text: str
    title: str
    published: str | None


def months(text: str) -> set[str]:
    return {m.group(1).lower() for m in _MONTH.finditer(text)}


def quarters(text: str) -> set[str]:
    return {f"q{_ORDINALS[m.group(1).lower()]}" if m.group(1) else f"q{m.group(2)}"
            for m in _QUARTER.finditer(text)}


def _published_month(published: str | None) -> set[str]:
    return {MONTHS[int(published[5:7]) - 1]} if published and len(published) >= 7 else set()


_PERIODS: tuple[tuple[str, Callable[[str], set[str]], Callable[[str | None], set[str]]], ...] = (
    ("month", months, _published_month),
    ("quarter", quarters, lambda published: set()),
)


class ScopeCheck:
    """Each check returns why the answer or its cited evidence misses the question, or None."""

    def mismatch(self, question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """``answer`` may carry citation markers; no check reads them ("[1]" is no figure)."""
        answer = MARKER_GROUP.sub("", answer)
        for check in (self._repeats_question, self._period, self._written_before, self._event_sex,
                      self._office, self._prize, self._kind, self._counts_other_things):
            reason = check(question, answer, cited)
            if reason:
                return reason
        return None

    @staticmethod
    def _repeats_question(question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """Every word of the answer is the question's: its citation supports the premise,
        and nothing the question asks for is named."""
        if _CHOICE.search(question) or _YES_NO.search(question):
            return None
        if set(terms(answer)) <= set(terms(question)):
            return "the answer only repeats the question"
        return None

    @staticmethod
    def _period(question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """A month or quarter the question names must be the one a cited quote tells about
        (or its article's month); a quote that names none defers to its passage. Years are
        left to the refusal policy and to ``_written_before``: a comparison names years of
        both sides, and an answer cites only the side it picks."""
        for kind, find, dated in _PERIODS:
            asked = find(question)
            if asked and not any(_holds(asked, find, dated(c.published), c) for c in cited):
                return f"the question asks about {', '.join(sorted(asked))}; the cited passages tell about another {kind}"
        return None

    @staticmethod
    def _written_before(question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """An article cannot report a period that began after it was published, unless the
        question asks what is expected."""
        start = period_start(question)
        if start is None or _FORWARD.search(question):
            return None
        published = [date.fromisoformat(c.published[:10]) for c in cited if c.published]
        if published and len(published) == len(cited) and max(published) < start:
            return f"the question asks about a period from {start.isoformat()}; the cited articles were published before it"
        return None

    @staticmethod
    def _event_sex(question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        for sex in {m.group(1).lower() for m in _SEX.finditer(question)}:
            if not any(re.search(rf"\b{sex}\b", f"{c.quote} {c.text}".lower()) for c in cited):
                return f"the question asks about the {sex}'s event; the cited passages do not mention it"
        return None

    @staticmethod
    def _office(question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """Asked who holds an office, the quote that names the person must name the office,
        or the answer is whoever the article happened to quote."""
        for office in {m.group(1).lower() for m in _OFFICE.finditer(question)}:
            if not any(re.search(rf"\b{office}\b", c.quote.lower()) for c in cited):
                return f"the question asks who holds the office of {office}; the cited quotes do not name it"
        return None

    @staticmethod
    def _prize(question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """Asked who won a named prize, the answer must come from a passage that names it:
        another prize's winner is the same kind of answer and often shares the year."""
        for match in _PRIZE.finditer(question):
            name = {t for t in terms(match.group(1)) if not YEAR.fullmatch(t)}
            if name and not any(name <= set(terms(f"{c.title} {c.text}")) for c in cited):
                return f"the question asks who won the {match.group(1).strip()} prize; the cited passages do not name it"
        return None

    @staticmethod
    def _kind(question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """Asked for a date or a number, an answer without one is the passage's gist, not an
        answer ("after several rounds of voting" for "after how many rounds")."""
        for asks, gives, kind in _KINDS:
            if asks.search(question) and not gives.search(answer):
                return f"the question asks for {kind}; the answer gives none"
        return None

    @staticmethod
    def _counts_other_things(question: str, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """Asked how many of something, an answer whose figures count other things and that
        shares no word with what the question counts is another figure from the same
        article ("260 boats were damaged" for "how many people died"). A bare figure, or
        one that counts nothing that can be read off, is left to the citation check."""
        asked = _HOW_MANY.search(question)
        counted = counted_things(answer)
        if asked is None or not counted:
            return None
        if stems(asked.group(1)) & stems(answer):
            return None
        things = sorted({thing for found in counted.values() for thing in found})
        return f"the question asks how many{asked.group(1).rstrip()}; the answer counts {', '.join(things)}"


def _holds(asked: set[str], find: Callable[[str], set[str]], dated: set[str],
           cited: CitedEvidence) -> bool:
    named = find(cited.quote)
    if asked <= named | dated:
        return True
    return not named and asked <= find(cited.text) | find(cited.title) | dated


def period_start(question: str) -> date | None:
    """First day of the one period the question names: a month or quarter of a year, or a
    year alone; None when it names none, or several."""
    years = {int(t) for t in terms(question) if YEAR.fullmatch(t)}
    asked_months, asked_quarters = months(question), quarters(question)
    if len(years) != 1:
        return None
    (year,) = years
    if len(asked_months) == 1 and not asked_quarters:
        return date(year, MONTHS.index(next(iter(asked_months))) + 1, 1)
    if len(asked_quarters) == 1 and not asked_months:
        return date(year, 3 * int(next(iter(asked_quarters))[1]) - 2, 1)
    if not asked_months and not asked_quarters:
        return date(year, 1, 1)
    return None

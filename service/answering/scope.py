"""Whether the passages an answer cites are about what the question asks.

The citation check makes sure that what an answer adds is written in its evidence. It
cannot see that the evidence is about April when the question asked about June: the
answer then repeats "June" from the question around April's figure, and every word it adds
is in the quote. Small models turn near misses into answers this way when they are told to
answer whatever the passages word differently. Each check here is one condition on any
question, whatever it is about: the period it names (a month or a quarter) is the one the
cited passages tell about; the cited articles were not all written before that period;
asked for a date or a number, the answer gives one, and the number counts what was asked;
and the answer says more than the question did ("Which hospital leads the unit?" -> "The
hospital leads the unit" passes every other check and answers nothing). The README's
"Answer checks" table gives what each one catches on the gold set and both dev benches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

from ingest.words import MONTHS, month_published, stems, terms, without_years, years
from service.answering.citations import MARKER_GROUP
from service.answering.question import Question
from service.answering.terms import counted_things

# "May" and "March" are also a name and words ("Will May resign?", "prices may rise"): they
# are months only when capitalised and dated by a number or led by a word that takes a
# time ("in May", "May 3", "3 March", "March 2026").
_MONTH = re.compile(r"\b(" + "|".join(m for m in MONTHS if m not in ("may", "march")) + r")\b", re.IGNORECASE)
_DATED_MONTH = re.compile(r"(?:\b(?:in|on|by|of|since|until|from|through|early|late|mid|last|next|this)\s+|\d\s+)"
                          r"(March|May)\b|\b(March|May)(?=,?\s+\d)")
# A month with its day ("on February 12", "25 January") dates an event the question names;
# it is no period the answer has to be about, and the article that answers may tell the
# event under its own date ("the Chiefs and the Eagles meet in two weeks").
_ANY_MONTH = "|".join(MONTHS)
_DAY_OF_MONTH = re.compile(rf"\b({_ANY_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?![,.]?\d)|"
                           rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+({_ANY_MONTH})\b", re.IGNORECASE)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter\b|\bq([1-4])\b",
                      re.IGNORECASE)
_ASKS_DATE = re.compile(r"\b(?:what|which) date\b", re.IGNORECASE)
_DIGIT_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}\b")
_ASKS_COUNT = re.compile(r"\bhow (?:many|much|old)\b", re.IGNORECASE)
_ASKS_NUMBER = re.compile(r"\b(?:what|which) (?:year|percentage|proportion)\b", re.IGNORECASE)
# A figure in digits or words; "none" and "twice" answer "how many" too, "several" does not.
_GIVES_NUMBER = re.compile(
    r"\d|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|halves|thirds?|"
    r"quarters?|fifths?|tenths?|once|twice|none|nothing|nobody|no one|doubled?|tripled?|halved)\b",
    re.IGNORECASE)
# What a question asks for, and what an answer to it must contain.
_KINDS: tuple[tuple[re.Pattern[str], Callable[[str], bool], str], ...] = (
    (_ASKS_DATE, lambda answer: bool(months(answer) or _DIGIT_DATE.search(answer)), "a date"),
    (_ASKS_NUMBER, lambda answer: bool(_GIVES_NUMBER.search(answer)), "a number"),
    # A year dates a count ("the costliest storm since 2011"); it does not give one.
    (_ASKS_COUNT, lambda answer: bool(_GIVES_NUMBER.search(without_years(answer))), "a number"),
)
# Questions whose answer may repeat them word for word: a choice between the alternatives
# they name, or yes or no.
_CHOICE = re.compile(r"\bor\b", re.IGNORECASE)
_YES_NO = re.compile(r"\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b",
                     re.IGNORECASE)
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
    found = {m.group(1).lower() for m in _MONTH.finditer(text)}
    return found | {(m.group(1) or m.group(2)).lower() for m in _DATED_MONTH.finditer(text)}


def period_months(text: str) -> set[str]:
    """The months a question asks about as periods: those it names without a day."""
    return months(_DAY_OF_MONTH.sub(" ", text))


def quarters(text: str) -> set[str]:
    return {f"q{_ORDINALS[m.group(1).lower()]}" if m.group(1) else f"q{m.group(2)}"
            for m in _QUARTER.finditer(text)}


def _published_month(published: str | None) -> set[str]:
    return {month} if (month := month_published(published)) else set()


# Each kind of period: how a question asks for it, how a passage names it, and the one its
# article's date falls in.
_PERIODS: tuple[tuple[str, Callable[[str], set[str]], Callable[[str], set[str]],
                      Callable[[str | None], set[str]]], ...] = (
    ("month", period_months, months, _published_month),
    ("quarter", quarters, quarters, lambda published: set()),
)


@dataclass(frozen=True)
class Verdict:
    """``reason`` withholds the whole answer; ``unanswered`` lists the asks of a question
    with several that the answer leaves open, while it stands for the others."""

    reason: str | None = None
    unanswered: tuple[str, ...] = ()


class ScopeCheck:
    """Each check returns why the answer or its cited evidence misses the question, or None."""

    def judge(self, question: Question, answer: str, cited: Sequence[CitedEvidence]) -> Verdict:
        """``answer`` may carry citation markers; no check reads them ("[1]" is no figure).
        The period checks read the whole question; the checks of what an answer must give
        read each ask apart, and withhold the answer only when it misses every one."""
        answer = MARKER_GROUP.sub("", answer)
        for check in (self._repeats_question, self._period, self._written_before):
            reason = check(question, answer, cited)
            if reason:
                return Verdict(reason)
        missed: dict[str, str] = {}
        for ask in question.asks:
            reason = self._kind(ask, answer) or self._counts_other_things(ask, answer)
            if reason:
                missed[ask] = reason
        if missed and len(missed) == len(question.asks):
            return Verdict(next(iter(missed.values())))
        return Verdict(unanswered=tuple(missed))

    @staticmethod
    def _repeats_question(question: Question, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """Every word of the answer is the question's: its citation supports the premise,
        and nothing the question asks for is named."""
        if any(_CHOICE.search(form) or _YES_NO.match(form) for form in question.forms):
            return None
        if set(terms(answer)) <= question.words():
            return "the answer only repeats the question"
        return None

    @staticmethod
    def _period(question: Question, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """A month or quarter the question names must be the one a cited quote tells about
        (or its article's month); a quote that names none defers to its passage. Years are
        left to the refusal policy and to ``_written_before``: a comparison names years of
        both sides, and an answer cites only the side it picks."""
        for kind, ask, find, dated in _PERIODS:
            asked = set().union(*(ask(form) for form in question.forms))
            if asked and not any(_holds(asked, find, dated(c.published), c) for c in cited):
                return f"the question asks about {', '.join(sorted(asked))}; the cited passages tell about another {kind}"
        return None

    @staticmethod
    def _written_before(question: Question, answer: str, cited: Sequence[CitedEvidence]) -> str | None:
        """An article cannot report a period that began after it was published, unless the
        question asks what is expected."""
        for form in question.forms:
            start = period_start(form)
            if start is None or _FORWARD.search(form):
                continue
            published = [date.fromisoformat(c.published[:10]) for c in cited if c.published]
            if published and len(published) == len(cited) and max(published) < start:
                return f"the question asks about a period from {start.isoformat()}; the cited articles were published before it"
        return None

    @staticmethod
    def _kind(ask: str, answer: str) -> str | None:
        """Asked for a date or a number, an answer without one is the passage's gist, not an
        answer ("after several rounds of voting" for "after how many rounds")."""
        for asks, gives, kind in _KINDS:
            if asks.search(ask) and not gives(answer):
                return f"the question asks for {kind}; the answer gives none"
        return None

    @staticmethod
    def _counts_other_things(ask: str, answer: str) -> str | None:
        """Asked how many of something, an answer whose figures count other things and that
        shares no word with what the question counts is another figure from the same
        article ("260 boats were damaged" for "how many people died"). A bare figure, or
        one that counts nothing that can be read off, is left to the citation check."""
        asked = _HOW_MANY.search(ask)
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
    named = {int(y) for y in years(question)}
    asked_months, asked_quarters = months(question), quarters(question)
    if len(named) != 1:
        return None
    (year,) = named
    if len(asked_months) == 1 and not asked_quarters:
        return date(year, MONTHS.index(next(iter(asked_months))) + 1, 1)
    if len(asked_quarters) == 1 and not asked_months:
        return date(year, 3 * int(next(iter(asked_quarters))[1]) - 2, 1)
    if not asked_months and not asked_quarters:
        return date(year, 1, 1)
    return None

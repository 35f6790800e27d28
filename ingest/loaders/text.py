"""Plain-text articles, including the "seed" layout our sample corpus uses.

The seed layout is a first line ``date YYYY-MM-DD <headline>``, the body as blank-line
separated paragraphs, and usually a closing credit line (``Reporting by ...``). The credit
is metadata, not reporting: left in the body it would be retrieved and cited as if it were
a fact from the story, so it is moved to ``author`` / ``extra["credit"]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.dates import parse_date

SEED_FIRST_LINE = re.compile(r"^date\s+(\d{4}-\d{2}-\d{2})\s+(\S.*)$", re.IGNORECASE)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
MAX_TITLE_CHARS = 200
DERIVED_TITLE_CHARS = 100
MAX_CREDIT_WORDS = 25
CREDIT_ROLE = r"(?:reporting|writing|editing|compiled|written)"
CREDIT_PHRASE = re.compile(
    rf"^\(?\s*(?:additional\s+|with\s+)?{CREDIT_ROLE}(?:\s+and\s+{CREDIT_ROLE})?\s+by\b",
    re.IGNORECASE,
)
NAME = r"[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3}"
BYLINE = re.compile(rf"^\(?\s*(?i:by)\s+{NAME}(?:\s+and\s+{NAME})?\)?$")
OUTLET_NAME = NAME + "?"
OUTLET_ALONE = re.compile(rf"^(?P<outlet>{OUTLET_NAME})$")
OUTLET_WITH_CREDIT = re.compile(rf"^(?P<outlet>{OUTLET_NAME})(?:,|\s+with\b|\s+and\b)")
CREDIT_WORDS = re.compile(
    r"\b(inputs?|editing|edited|reporting|writing|contributed|agencies|report)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def parse_text(text: str, origin: str) -> Iterator[Article | LoadFailure]:
    """Read one article from a text file, in the seed layout when its first line says so."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    if not lines[0]:
        raise LoadError("no text in file")
    seed = SEED_FIRST_LINE.match(lines[0].strip())
    if seed:
        yield _seed_article(seed, "\n".join(lines[1:]), origin)
    else:
        yield _plain_article(lines, origin)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are the unit later stages chunk on, so every loader splits the same way."""
    return [p.strip() for p in PARAGRAPH_BREAK.split(text) if p.strip()]


def headline_from(text: str) -> str:
    """A stand-in title for sources that give none: the opening words, cut at a word
    boundary so that listings and citations stay readable."""
    first_line = text.strip().split("\n", 1)[0].strip()
    if len(first_line) <= DERIVED_TITLE_CHARS:
        return first_line
    cut = first_line[:DERIVED_TITLE_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"


def _seed_article(match: re.Match[str], body: str, origin: str) -> Article:
    day, headline = match.groups()
    published = parse_date(day)
    if published is None:
        raise LoadError(f"first line has an impossible date '{day}'")
    paragraphs = split_paragraphs(body)
    if not paragraphs:
        raise LoadError("no article text after the 'date' line")
    credit = _credit_line(paragraphs)
    article = Article(title=headline.strip(), text="", published=published, origin=origin)
    if credit is not None:
        paragraphs = paragraphs[:-1]
        article.author = credit.strip("() ")
        article.source = _outlet(credit)
        article.extra["credit"] = credit
    article.text = "\n\n".join(paragraphs)
    return article


def _credit_line(paragraphs: list[str]) -> str | None:
    """The last paragraph when it reads like a byline or agency credit.

    Deliberately strict: dropping a real closing sentence loses content that questions may
    hinge on, while keeping a credit line only adds a little noise.
    """
    if len(paragraphs) < 2:
        return None
    last = paragraphs[-1]
    if len(last.split()) >= MAX_CREDIT_WORDS or "\n" in last:
        return None
    if CREDIT_PHRASE.match(last) or BYLINE.match(last):
        return last
    if SENTENCE_END.search(last):
        return None
    if OUTLET_ALONE.match(last):
        return last
    if OUTLET_WITH_CREDIT.match(last) and CREDIT_WORDS.search(last):
        return last
    return None


def _outlet(credit: str) -> str | None:
    """An agency named at the start of the credit (``Reuters, with ...``) is the source;
    a personal byline (``Reporting by ...``) names no outlet."""
    if CREDIT_PHRASE.match(credit) or BYLINE.match(credit):
        return None
    match = OUTLET_ALONE.match(credit) or OUTLET_WITH_CREDIT.match(credit)
    return match.group("outlet") if match else None


def _plain_article(lines: list[str], origin: str) -> Article:
    first = lines[0].strip()
    rest = "\n".join(lines[1:])
    if len(first) < MAX_TITLE_CHARS and rest.strip():
        return Article(title=first, text="\n\n".join(split_paragraphs(rest)), origin=origin)
    whole = "\n".join(lines)
    return Article(title=headline_from(whole), text="\n\n".join(split_paragraphs(whole)),
                   origin=origin)

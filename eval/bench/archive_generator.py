"""Synthetic news archives of any size, made here from real sentences, so that the service
can be measured at 100,000 articles without shipping or downloading 100,000 articles.

An archive is a function of its seed and its vocabulary: article ``i`` depends on nothing
else, so the first N articles are the same whatever size is asked for, and a 10,000-article
archive holds the 1,000-article one (a benchmark grows one index through both). What makes
it look like a real archive to the pipeline:

* lengths drawn like news pages: lognormal around a median of 3,000 characters, a tail to
  15,000, and a few short briefs;
* dates spread over 2019-2026, a few articles with no date in their metadata (those of
  sources that put the day in their URL paths are still dated by the URL);
* a few dozen sources, half of them with the date in their URL paths, a third printing the
  same newsletter line under every page (the chrome the boilerplate filter learns);
* near-duplicates: a few percent of articles are a later version of an earlier one, under
  the same URL (the pipeline updates it) or the same title at another URL (a second page),
  with most text kept and figures and a sentence changed;
* sentences of real news text (the shipped sample corpus, or any text the ingest reads),
  recombined, with their names and numbers varied so that no two articles are copies.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ingest.article import Article
from ingest.chunking import sentence_spans
from ingest.cleaning import clean_line, clean_text
from service.assembly import Components
from service.settings import Settings

DEFAULT_SEED = 20190101
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2026, 3, 31)
MEDIAN_CHARS = 3_000
LENGTH_SIGMA = 0.55
MAX_CHARS = 15_000
SHORT_SHARE = 0.03
SHORT_CHARS = (250, 900)
# A fresh article follows one story of the vocabulary for about this share of its sentences.
STORY_SHARE = 0.6
PARAGRAPH_SENTENCES = (1, 4)
UPDATE_SHARE = 0.04
SAME_URL_SHARE = 0.5
# An update revises an article among the last few hundred, days after it.
UPDATE_WINDOW = 400
UPDATE_DELAY_DAYS = 3
FIRST_UPDATABLE = 5
UNDATED_SHARE = 0.04
NO_URL_SHARE = 0.02
RENAME_SHARE = 0.6
SYNTHETIC_NAMES = 600
DAY_LIKE = 31
FIGURE_SCALE = (0.6, 1.6)
SENTENCE_CHARS = (25, 400)
PLACES = ("Harbor", "Northfield", "Alpine", "Pacific", "Metro", "Granite", "Westmark", "Alder",
          "Valmora", "Crescent", "Kessel", "Greyhaven")
MASTHEADS = ("Ledger", "Courier", "Times", "Signal", "Wire", "Herald", "Post", "Tribune", "Gazette",
             "Observer", "Chronicle", "Dispatch")
SOURCES = 36
SECTIONS = ("politics", "business", "sport", "science", "culture", "health", "transport", "climate",
            "tech", "world")
SYLLABLES = ("bar", "cor", "dal", "en", "fen", "gar", "hol", "is", "ka", "lin", "mor", "nes", "or",
             "pel", "quin", "ros", "sal", "tor", "ul", "ven", "wyn", "zar")
AUTHORS = ("Maya Okafor", "Jonas Lindqvist", "Priya Raman", "Tomás Ferreira", "Aiko Tanaka",
           "Grace Mbeki", "Luca Romano", "Sara Haddad", "Owen Price", "Ines Duarte", "Daniel Kowalski",
           "Hannah Weiss")
# Capitalised words that are no names: renaming them would make a sentence unreadable.
NOT_NAMES = frozenset(
    "The A An And But In On At Of For To By With From It Its This That These Those He She They We "
    "His Her Their Our Mr Mrs Ms Dr January February March April May June July August September "
    "October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
YEAR = re.compile(r"(?:19|20)\d\d")
SLUG_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Vocabulary:
    """Sentences of real text grouped by the story they came from, with its title: what
    generated articles are recombined from."""

    stories: tuple[tuple[str, ...], ...]
    titles: tuple[str, ...]

    @cached_property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for story in self.stories for s in story)

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> "Vocabulary":
        stories, titles = [], []
        for article in articles:
            text = clean_text(article.text)
            sentences = tuple(s for s in (text[a:b].strip() for a, b in sentence_spans(text))
                              if SENTENCE_CHARS[0] <= len(s) <= SENTENCE_CHARS[1])
            if sentences:
                stories.append(sentences)
                titles.append(clean_line(article.title) or sentences[0][:80])
        if not stories:
            raise ValueError("the vocabulary holds no sentences")
        return cls(tuple(stories), tuple(titles))


def load_vocabulary(paths: Sequence[Path] = ()) -> Vocabulary:
    """Text from any source the ingest reads (folders, JSONL exports, HTML pages), read by
    the ingest's own loaders; without paths, the shipped sample corpus, so that nothing
    outside the project is needed."""
    settings = Settings(_env_file=None)
    sources = [str(p) for p in paths] or [str(settings.sample_corpus_dir)]
    return Vocabulary.from_articles(a for a in Components(settings).sources.read(sources)
                                    if isinstance(a, Article))


@dataclass(frozen=True)
class Source:
    name: str
    domain: str
    dated_paths: bool
    footer: str | None


def make_sources(rng: random.Random) -> tuple[Source, ...]:
    pairs = rng.sample([(p, m) for p in PLACES for m in MASTHEADS], SOURCES)
    return tuple(Source(f"{place} {masthead}", f"{place}{masthead}".lower() + ".example",
                        dated_paths=i % 2 == 0,
                        footer=(f"Sign up for the {place} {masthead} morning briefing to get the day's "
                                "top stories in your inbox." if i % 3 == 0 else None))
                 for i, (place, masthead) in enumerate(pairs))


def invent_names(rng: random.Random) -> tuple[str, ...]:
    """Names a rewritten article gives its people, places and companies: invented ones,
    because capitalised words of real text are names only most of the time."""
    return tuple(sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
                         for _ in range(SYNTHETIC_NAMES)}))


def draw_length(rng: random.Random) -> int:
    """Characters of one article's text, drawn like news pages."""
    if rng.random() < SHORT_SHARE:
        return rng.randint(*SHORT_CHARS)
    drawn = rng.lognormvariate(math.log(MEDIAN_CHARS), LENGTH_SIGMA)
    return min(MAX_CHARS, max(SHORT_CHARS[1], round(drawn)))


def vary_number(match: re.Match[str], rng: random.Random, year: int) -> str:
    """Years move to the article's own time, small counts and days of the month stay
    small, other figures move by up to 60% with their decimals and thousands separators:
    "November 87" or a 40-fold budget would read as nonsense. A figure with two decimal
    points is no quantity but a version or a dotted date ("2.12.1", "04.01.2023") and stays
    as written."""
    figure = match.group()
    if figure.count(".") > 1:
        return figure
    if YEAR.fullmatch(figure):
        return str(year - rng.randint(0, 1))
    if figure.isdigit() and int(figure) <= DAY_LIKE:
        return str(rng.randint(1, DAY_LIKE - 3))
    if "," in figure and "." not in figure:
        return f"{max(1, round(int(figure.replace(',', '')) * rng.uniform(*FIGURE_SCALE))):,}"
    decimals = len(figure.partition(".")[2]) if "," not in figure else 0
    value = float(figure) if "," not in figure else float(figure.replace(",", ""))
    return f"{value * rng.uniform(*FIGURE_SCALE):.{decimals}f}"


class Rewriter:
    """One article's names and figures: a name is renamed the same way throughout the
    article, so a story stays about one place or company."""

    def __init__(self, rng: random.Random, names: Sequence[str], year: int) -> None:
        self._rng = rng
        self._names = names
        self._year = year
        self._renamed: dict[str, str] = {}

    def rename(self, match: re.Match[str]) -> str:
        name = match.group()
        if name in NOT_NAMES:
            return name
        if name not in self._renamed:
            keep = self._rng.random() >= RENAME_SHARE
            self._renamed[name] = name if keep else self._rng.choice(self._names)
        return self._renamed[name]

    def __call__(self, sentence: str) -> str:
        renamed = NAME.sub(self.rename, sentence)
        return NUMBER.sub(lambda m: vary_number(m, self._rng, self._year), renamed)


def slug(title: str, words: int = 8) -> str:
    return "-".join(SLUG_WORD.findall(title.lower())[:words]) or "story"


def paragraphs_of(sentences: Sequence[str], rng: random.Random) -> list[str]:
    grouped, at = [], 0
    while at < len(sentences):
        size = rng.randint(*PARAGRAPH_SENTENCES)
        grouped.append(" ".join(sentences[at:at + size]))
        at += size
    return grouped


class ArchiveGenerator:
    """Article ``i`` of the archive of ``seed`` over ``vocabulary``, made on demand."""

    def __init__(self, vocabulary: Vocabulary, seed: int = DEFAULT_SEED) -> None:
        self.vocabulary = vocabulary
        self.seed = seed
        self.sources = make_sources(random.Random(f"{seed}/sources"))
        self._names = invent_names(random.Random(f"{seed}/names"))

    def _rng(self, index: int, purpose: str) -> random.Random:
        return random.Random(f"{self.seed}/{index}/{purpose}")

    def update_of(self, index: int) -> int | None:
        """The earlier article that article ``index`` is a later version of, if any."""
        rng = self._rng(index, "update")
        if index < FIRST_UPDATABLE or rng.random() >= UPDATE_SHARE:
            return None
        return rng.randrange(max(0, index - UPDATE_WINDOW), index)

    def article(self, index: int) -> Article:
        original = self.update_of(index)
        return self._fresh(index) if original is None else self._update(index, self.article(original))

    def articles(self, start: int, stop: int) -> Iterator[Article]:
        return (self.article(i) for i in range(start, stop))

    def _fresh(self, index: int) -> Article:
        rng = self._rng(index, "fresh")
        source = rng.choice(self.sources)
        day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
        story = rng.randrange(len(self.vocabulary.stories))
        rewrite = Rewriter(rng, self._names, day.year)
        title = rewrite(self.vocabulary.titles[story])
        length = draw_length(rng) - len(source.footer or "")
        body = paragraphs_of(self._sentences(rng, story, length, rewrite), rng)
        if source.footer:
            body.append(source.footer)
        return Article(title=title, text="\n\n".join(body), url=self._url(rng, source, day, title, index),
                       published=None if rng.random() < UNDATED_SHARE else day.isoformat(),
                       source=source.name, author=rng.choice(AUTHORS), origin=f"archive:{index}")

    def _sentences(self, rng: random.Random, story: int, length: int, rewrite: Rewriter) -> list[str]:
        """Sentences up to ``length`` characters (at least one): the story's own in order
        for most of them, the rest from anywhere in the vocabulary."""
        own = iter(self.vocabulary.stories[story])
        chosen: list[str] = []
        total = 0
        while True:
            pick = next(own, None) if rng.random() < STORY_SHARE else None
            sentence = rewrite(pick or rng.choice(self.vocabulary.sentences))
            if chosen and total + len(sentence) + 1 > length:
                return chosen
            chosen.append(sentence)
            total += len(sentence) + 1

    def _url(self, rng: random.Random, source: Source, day: date, title: str, index: int) -> str | None:
        if rng.random() < NO_URL_SHARE:
            return None
        section = rng.choice(SECTIONS)
        name = f"{slug(title)}-{index:x}"
        if source.dated_paths:
            return f"https://www.{source.domain}/{section}/{day:%Y/%m/%d}/{name}"
        return f"https://{source.domain}/{section}/{name}"

    def _update(self, index: int, original: Article) -> Article:
        """A later version: figures changed in a few sentences, one sentence replaced and an
        update line added; the same URL, or the same title at a new URL."""
        rng = self._rng(index, "update-text")
        published = date.fromisoformat(original.published) if original.published else None
        later = published + timedelta(days=rng.randint(0, UPDATE_DELAY_DAYS)) if published else None
        rewrite = Rewriter(rng, self._names, (later or LAST_DAY).year)
        body = original.text.split("\n\n")
        for at in rng.sample(range(len(body)), min(len(body), rng.randint(1, 3))):
            body[at] = NUMBER.sub(lambda m: vary_number(m, rng, (later or LAST_DAY).year), body[at])
        body[rng.randrange(len(body))] = rewrite(rng.choice(self.vocabulary.sentences))
        body.insert(1, f"Updated with new figures. {rewrite(rng.choice(self.vocabulary.sentences))}")
        same_url = rng.random() < SAME_URL_SHARE and original.url is not None
        url = original.url if same_url else (f"{original.url}-update-{index:x}" if original.url else None)
        return Article(title=original.title, text="\n\n".join(body), url=url,
                       published=later.isoformat() if later else None, source=original.source,
                       author=original.author, origin=f"archive:{index}")


def record(article: Article) -> dict[str, str]:
    """The JSONL record ``newsqa ingest`` reads back as the same article."""
    fields = {"url": article.url, "title": article.title, "published": article.published,
              "source": article.source, "author": article.author, "text": article.text}
    return {k: v for k, v in fields.items() if v is not None}


def write_jsonl(articles: Iterable[Article], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w") as out:
        for article in articles:
            out.write(json.dumps(record(article), ensure_ascii=False) + "\n")
            count += 1
    return count

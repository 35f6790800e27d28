"""Markdown articles with optional YAML front matter.

Markup is stripped because the text is embedded and quoted back to users: ``**`` and
``[..](..)`` would only add noise to both. Code blocks are kept verbatim since their
content is the point.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import yaml

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.dates import parse_date
from ingest.loaders.text import headline_from, split_paragraphs

FRONT_MATTER_FENCE = "---"
FRONT_MATTER_CLOSERS = ("---", "...")
KNOWN_KEYS = ("id", "title", "url", "date", "published", "source", "author")
CODE_FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
IMAGE = re.compile(r"!\[[^\]]*\](\([^)]*\)|\[[^\]]*\])")
LINK = re.compile(r"\[([^\]]+)\](\([^)]*\)|\[[^\]]*\])")
AUTOLINK = re.compile(r"<(https?://[^>]+)>")
STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
EMPHASIS_STAR = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
EMPHASIS_UNDERSCORE = re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
INLINE_CODE = re.compile(r"`([^`]+)`")
BLOCKQUOTE = re.compile(r"^\s{0,3}>\s?")


def parse_markdown(text: str, origin: str) -> Iterator[Article | LoadFailure]:
    """Read one article from a Markdown document; front matter supplies the metadata."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    meta, body_lines = _split_front_matter(lines)
    body, heading = _to_plain_text(body_lines, _string(meta.get("title")))
    if not body:
        raise LoadError("no article text in the Markdown body")
    yield _article(meta, body, heading, origin)


def _split_front_matter(lines: list[str]) -> tuple[dict[str, Any], list[str]]:
    if lines[0].strip() != FRONT_MATTER_FENCE:
        return {}, lines
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in FRONT_MATTER_CLOSERS:
            return _load_yaml(lines[1:index]), lines[index + 1:]
    raise LoadError("front matter opened with '---' on line 1 is never closed")


def _load_yaml(lines: list[str]) -> dict[str, Any]:
    try:
        meta = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as error:
        raise LoadError(_yaml_reason(error)) from error
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise LoadError(f"front matter must be 'key: value' lines, not a {type(meta).__name__}")
    return meta


def _yaml_reason(error: yaml.YAMLError) -> str:
    """Point at the file line (front matter starts on line 2) so the user can fix it."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return f"invalid YAML in front matter: {problem}"
    return f"invalid YAML in front matter at line {mark.line + 2}: {problem}"


def _to_plain_text(lines: list[str], title: str | None) -> tuple[str, str | None]:
    """Plain text of the body plus the first level-1 heading; that heading is dropped from
    the body when it is (or becomes) the title, so the headline is not indexed twice."""
    out: list[str] = []
    first_h1: str | None = None
    in_code = False
    for line in lines:
        if CODE_FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            out.append(line)
            continue
        heading = HEADING.match(line)
        if heading and heading.group(1) == "#" and first_h1 is None:
            first_h1 = _inline_text(heading.group(2))
            if title is None or first_h1 == title:
                continue
        out.append(_block_text(line, heading))
    return "\n\n".join(split_paragraphs("\n".join(out))), first_h1


def _block_text(line: str, heading: re.Match[str] | None) -> str:
    if heading:
        return _inline_text(heading.group(2))
    if RULE.match(line) or LINK_DEFINITION.match(line):
        return ""
    return _inline_text(BLOCKQUOTE.sub("", line))


def _inline_text(text: str) -> str:
    text = IMAGE.sub("", text)
    text = LINK.sub(r"\1", text)
    text = AUTOLINK.sub(r"\1", text)
    text = INLINE_CODE.sub(r"\1", text)
    text = STRONG.sub(r"\2", text)
    text = EMPHASIS_STAR.sub(r"\1", text)
    return EMPHASIS_UNDERSCORE.sub(r"\1", text)


def _article(meta: dict[str, Any], body: str, heading: str | None, origin: str) -> Article:
    raw_date = meta.get("published", meta.get("date"))
    article = Article(
        title=_string(meta.get("title")) or heading or headline_from(body),
        text=body,
        url=_string(meta.get("url")),
        published=parse_date(raw_date),
        source=_string(meta.get("source")),
        author=_string(meta.get("author")),
        id=_string(meta.get("id")),
        origin=origin,
    )
    article.extra = {str(k): _string(v) or "" for k, v in meta.items() if k not in KNOWN_KEYS}
    if raw_date is not None and article.published is None:
        article.extra["unparsed_date"] = _string(raw_date) or ""
    return article


def _string(value: object) -> str | None:
    """YAML turns dates, numbers and lists into Python objects; metadata fields are text."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(s for s in (_string(v) for v in value) if s)
    return str(value).strip() or None

"""JSON and JSON Lines exports from other systems (scrapers, CMS dumps, datasets).

Exports name their keys differently, so a :class:`FieldMap` says which key holds which
field. A bad record is reported and skipped rather than failing the file: one broken line
in a 100,000-line dump should not cost the other 99,999.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from typing import Any

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.dates import parse_date
from ingest.loaders.text import headline_from

FALLBACK_KEYS = {
    "published": ("published", "date", "published_at"),
    "text": ("text", "body", "content"),
}


@dataclasses.dataclass(frozen=True)
class FieldMap:
    """Which key of an exported record holds each Article field."""

    id: str = "id"
    url: str = "url"
    title: str = "title"
    published: str = "published"
    source: str = "source"
    author: str = "author"
    text: str = "text"

    @classmethod
    def parse(cls, spec: str) -> FieldMap:
        """Build a map from the command-line form ``"text=body,published=date"``.

        Raises ValueError naming the bad entry, since this comes straight from the user.
        """
        known = [f.name for f in dataclasses.fields(cls)]
        mapping: dict[str, str] = {}
        for entry in filter(None, (part.strip() for part in spec.split(","))):
            name, sep, key = (s.strip() for s in entry.partition("="))
            if not sep or not key:
                raise ValueError(f"field mapping '{entry}' must look like 'field=key'")
            if name not in known:
                raise ValueError(f"unknown field '{name}' in '{entry}' "
                                 f"(fields: {', '.join(known)})")
            mapping[name] = key
        return cls(**mapping)

    def keys_for(self, name: str) -> list[str]:
        """The configured key first, then the names exports commonly use for the field."""
        configured = getattr(self, name)
        return [configured, *(k for k in FALLBACK_KEYS.get(name, ()) if k != configured)]


def parse_json(text: str, origin: str, fields: FieldMap) -> Iterator[Article | LoadFailure]:
    """Read a JSON file holding a list of records, ``{"articles": [...]}`` or one record.

    Records are named ``origin#N`` (1-based) in failures so the user can find them.
    """
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        raise LoadError(f"invalid JSON: {error.msg} at line {error.lineno} "
                        f"column {error.colno}") from error
    for number, record in enumerate(_records(data), start=1):
        yield _record_to_article(record, f"{origin}#{number}", fields)


def parse_jsonl(text: str, origin: str, fields: FieldMap) -> Iterator[Article | LoadFailure]:
    """Read one record per line; records are named ``origin:LINE``."""
    for lineno, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield LoadFailure(where, f"invalid JSON: {error.msg} at column {error.colno}")
            continue
        yield _record_to_article(record, where, fields)


def _records(data: Any) -> Iterable[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        return data["articles"]
    if isinstance(data, dict):
        return [data]
    raise LoadError(f"expected a JSON object or a list of objects, got {_json_type(data)}")


def _record_to_article(record: Any, origin: str, fields: FieldMap) -> Article | LoadFailure:
    if not isinstance(record, dict):
        return LoadFailure(origin, f"expected a JSON object, got {_json_type(record)}")
    text_key, text = _lookup(record, fields, "text", paragraph_separator="\n\n")
    if not text:
        looked = "', '".join(fields.keys_for("text"))
        return LoadFailure(origin, f"missing field 'text' (looked for '{looked}')")
    date_key, raw_date = _raw(record, fields.keys_for("published"))
    used = {text_key, date_key}
    values: dict[str, str | None] = {}
    for name in ("id", "url", "title", "source", "author"):
        key, values[name] = _lookup(record, fields, name)
        used.add(key)
    article = Article(
        title=values["title"] or headline_from(text),
        text=text,
        url=values["url"],
        published=parse_date(raw_date),
        source=values["source"],
        author=values["author"],
        id=values["id"],
        origin=origin,
    )
    article.extra = {k: _string(v) or "" for k, v in record.items() if k not in used}
    if raw_date is not None and article.published is None:
        article.extra["unparsed_date"] = _string(raw_date) or ""
    return article


def _lookup(record: dict[str, Any], fields: FieldMap, name: str,
            paragraph_separator: str = ", ") -> tuple[str | None, str | None]:
    key, value = _raw(record, fields.keys_for(name))
    return key, _string(value, paragraph_separator)


def _raw(record: dict[str, Any], keys: list[str]) -> tuple[str | None, Any]:
    for key in keys:
        if record.get(key) not in (None, ""):
            return key, record[key]
    return None, None


def _string(value: Any, list_separator: str = ", ") -> str | None:
    """Exports store ids as numbers, authors as lists or ``{"name": ...}`` objects and
    bodies as lists of paragraphs; all of them become the plain strings Article holds."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        parts = (_string(item, list_separator) for item in value)
        return list_separator.join(p for p in parts if p) or None
    if isinstance(value, dict):
        return _string(value.get("name")) or json.dumps(value, ensure_ascii=False)
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)

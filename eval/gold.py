"""Gold question sets: load and validate the JSONL format of ``eval/gold/README.md`` and
resolve each ``gold_docs`` reference to a document id of an ingested corpus.

Validation collects every problem with its line number before failing, because a gold set
is written by hand and one error report per run would make fixing it slow.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping

from eval.errors import EvalInputError
from eval.runner import EvalItem
from ingest.article import canonical_url
from ingest.store.catalog import Catalog
from ingest.store.records import DocumentRecord

TYPES = ("single-fact", "synthesis", "date-sensitive", "numeric", "comparison", "follow-up",
         "unanswerable", "injection")
UNANSWERABLE = "unanswerable"
_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")
_ROLES = ("user", "assistant")


class GoldSetError(EvalInputError):
    """A gold set that cannot be used as written; the message lists every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    type: str
    question: str
    answer: str
    aliases: tuple[str, ...] = ()
    gold_docs: tuple[str, ...] = ()
    as_of: str | None = None
    history: tuple[dict[str, str], ...] = ()

    @property
    def answerable(self) -> bool:
        return self.type != UNANSWERABLE

    @property
    def answers(self) -> tuple[str, ...]:
        """The gold answer and its aliases: any one of them in a reply counts as correct."""
        return tuple(a for a in (self.answer, *self.aliases) if a)


@dataclass(frozen=True)
class GoldSet:
    name: str
    path: Path
    questions: tuple[GoldQuestion, ...]
    corpus: Path | None = None


def load_gold_set(path: Path) -> GoldSet:
    """Reads and validates a gold set; ``<stem>.meta.json`` beside it may name its corpus
    folder (relative to the set file) as ``{"corpus": "..."}``."""
    path = Path(path)
    if not path.is_file():
        raise GoldSetError(str(path), ["no such file"])
    questions: list[GoldQuestion] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: invalid JSON ({exc.msg})")
            continue
        found = _problems(row)
        if isinstance(row, dict) and row.get("id") in seen:
            found.append(f"duplicate id {row['id']!r}")
        if found:
            problems.extend(f"line {number}: {p}" for p in found)
            continue
        seen.add(row["id"])
        questions.append(_question(row))
    if not questions and not problems:
        problems.append("no questions")
    if problems:
        raise GoldSetError(str(path), problems)
    return GoldSet(path.stem, path, tuple(questions), _declared_corpus(path))


def _declared_corpus(path: Path) -> Path | None:
    meta = path.with_name(f"{path.stem}.meta.json")
    if not meta.exists():
        return None
    corpus = json.loads(meta.read_text(encoding="utf-8")).get("corpus")
    return (path.parent / corpus).resolve() if corpus else None


def _problems(row: object) -> list[str]:
    if not isinstance(row, dict):
        return ["not a JSON object"]
    problems = [f"missing field {name!r}" for name in
                ("id", "type", "question", "answer", "aliases", "gold_docs") if name not in row]
    if problems:
        return problems
    if not isinstance(row["id"], str) or not _ID.match(row["id"]):
        problems.append(f"id {row['id']!r} must be a non-empty string of letters, digits, _.:-")
    if row["type"] not in TYPES:
        problems.append(f"type {row['type']!r} is not one of {', '.join(TYPES)}")
    if not isinstance(row["question"], str) or not row["question"].strip():
        problems.append("question must be a non-empty string")
    if not isinstance(row["answer"], str):
        problems.append("answer must be a string")
    for name in ("aliases", "gold_docs"):
        if not isinstance(row[name], list) or not all(isinstance(v, str) and v.strip() for v in row[name]):
            problems.append(f"{name} must be a list of non-empty strings")
    if row["type"] == UNANSWERABLE:
        if row["answer"] != "" or row["gold_docs"]:
            problems.append("an unanswerable question has answer \"\" and gold_docs []")
    elif isinstance(row["answer"], str) and isinstance(row["gold_docs"], list):
        if not row["answer"].strip():
            problems.append("answer is empty but type is not unanswerable")
        if not row["gold_docs"]:
            problems.append("gold_docs is empty but type is not unanswerable")
    problems.extend(_optional_problems(row))
    return problems


def _optional_problems(row: Mapping[str, object]) -> list[str]:
    problems = []
    as_of = row.get("as_of")
    if as_of is not None:
        try:
            date.fromisoformat(str(as_of))
        except ValueError:
            problems.append(f"as_of {as_of!r} is not a YYYY-MM-DD date")
    history = row.get("history", [])
    if not isinstance(history, list) or not all(
            isinstance(t, dict) and t.get("role") in _ROLES and isinstance(t.get("content"), str)
            for t in history):
        problems.append("history must be a list of {\"role\": \"user\"|\"assistant\", \"content\": str}")
    return problems


def _question(row: Mapping[str, object]) -> GoldQuestion:
    return GoldQuestion(
        id=str(row["id"]), type=str(row["type"]), question=str(row["question"]).strip(),
        answer=str(row["answer"]).strip(), aliases=tuple(row["aliases"]),  # type: ignore[arg-type]
        gold_docs=tuple(row["gold_docs"]), as_of=row.get("as_of"),  # type: ignore[arg-type]
        history=tuple(dict(t) for t in row.get("history", [])))  # type: ignore[union-attr]


@dataclass
class DocumentIndex:
    """Lookups from the three kinds of reference to document ids; a title shared by two
    articles is ambiguous and only an id or URL can name either."""

    by_title: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    ids: set[str] = field(default_factory=set)
    by_url: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, documents: Iterable[DocumentRecord]) -> "DocumentIndex":
        index = cls()
        for doc in documents:
            index.by_title[doc.title.strip()].append(doc.doc_id)
            index.ids.add(doc.doc_id)
            if doc.url:
                index.by_url[canonical_url(doc.url)] = doc.doc_id
        return index

    def resolve(self, ref: str) -> str:
        """Exact title first, then id, then canonical URL (the documented order)."""
        ref = ref.strip()
        titled = self.by_title.get(ref, [])
        if len(titled) == 1:
            return titled[0]
        if len(titled) > 1:
            raise LookupError(f"title {ref!r} is shared by {len(titled)} documents; use an id or URL")
        if ref in self.ids:
            return ref
        if ref.lower().startswith(("http://", "https://")) and canonical_url(ref) in self.by_url:
            return self.by_url[canonical_url(ref)]
        raise LookupError(f"{ref!r} matches no title, id or URL in the corpus")


def all_documents(catalog: Catalog, page: int = 1000) -> list[DocumentRecord]:
    docs: list[DocumentRecord] = []
    while True:
        batch = catalog.list(limit=page, offset=len(docs))
        docs.extend(batch)
        if len(batch) < page:
            return docs


def resolve_gold_docs(gold: GoldSet, catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """``question id -> gold document ids``; fails listing every reference that does not
    resolve, since a metric computed against a missing document would silently read 0."""
    index = DocumentIndex.of(all_documents(catalog))
    resolved: dict[str, tuple[str, ...]] = {}
    problems: list[str] = []
    for q in gold.questions:
        ids: list[str] = []
        for ref in q.gold_docs:
            try:
                ids.append(index.resolve(ref))
            except LookupError as exc:
                problems.append(f"{q.id}: gold_docs {exc}")
        resolved[q.id] = tuple(dict.fromkeys(ids))
    if problems:
        raise GoldSetError(str(gold.path), problems)
    return resolved


def gold_items(gold: GoldSet, catalog: Catalog) -> list[EvalItem]:
    """The set as runner items, with every ``gold_docs`` reference resolved to an id."""
    resolved = resolve_gold_docs(gold, catalog)
    return [EvalItem(id=q.id, type=q.type, question=q.question, answers=q.answers,
                     gold_doc_ids=resolved[q.id], answerable=q.answerable, as_of=q.as_of,
                     history=q.history) for q in gold.questions]

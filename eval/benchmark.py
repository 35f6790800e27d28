"""External benchmarks in the rtqa-dev layout: ``articles.jsonl`` (id, url, title,
published, source, text) and ``questions.jsonl`` (id, question, answer, choices, date,
evidence_id, answerable).

Each question is asked as of its ``date``; its ``evidence_id`` article is the gold document;
an unanswerable question must be refused; its ``choices`` score which choice an answer
names (``choice_correct``), since the gold strings often differ from the articles' words.
The data stays where it is: it is read, indexed into the benchmark's own data dir, and
never copied into the project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eval.errors import EvalInputError
from eval.runner import EvalItem
from eval.stack import RESULTS_DIR
from ingest.store.catalog import Catalog


class BenchmarkError(EvalInputError):
    """A benchmark folder that does not have the expected layout or content."""


@dataclass(frozen=True)
class Benchmark:
    name: str
    folder: Path

    @property
    def articles(self) -> Path:
        return self.folder / "articles.jsonl"

    @property
    def questions(self) -> Path:
        return self.folder / "questions.jsonl"

    @property
    def data_dir(self) -> Path:
        """Kept between runs: re-ingesting unchanged articles skips them."""
        return RESULTS_DIR / "bench-index" / self.name


def load_benchmark(folder: Path) -> Benchmark:
    folder = Path(folder).resolve()
    missing = [n for n in ("articles.jsonl", "questions.jsonl") if not (folder / n).is_file()]
    if missing:
        raise BenchmarkError(f"{folder}: missing {', '.join(missing)}")
    return Benchmark(folder.name, folder)


def bench_items(bench: Benchmark, catalog: Catalog) -> list[EvalItem]:
    """Questions as runner items; fails on a malformed line or an evidence id that is not
    in the index, so that a broken benchmark cannot pass for a bad retriever."""
    items: list[EvalItem] = []
    problems: list[str] = []
    for number, line in enumerate(bench.questions.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(_item(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            problems.append(f"line {number}: {exc!r}")
    evidence = sorted({d for item in items for d in item.gold_doc_ids})
    indexed = catalog.content_hashes(evidence)
    problems += [f"evidence_id {d!r} is not among the articles" for d in evidence if d not in indexed]
    if problems:
        raise BenchmarkError(f"{bench.questions}:\n" + "\n".join(f"  {p}" for p in problems))
    return items


def _item(row: dict[str, object]) -> EvalItem:
    answerable = bool(row["answerable"])
    if answerable and not (row["evidence_id"] and str(row["answer"]).strip()):
        raise ValueError("an answerable question needs an answer and an evidence_id")
    return EvalItem(
        id=str(row["id"]), type="answerable" if answerable else "unanswerable",
        question=str(row["question"]), answers=(str(row["answer"]),) if answerable else (),
        gold_doc_ids=(str(row["evidence_id"]),) if answerable else (), answerable=answerable,
        as_of=str(row["date"]) if row.get("date") else None,
        choices=tuple(str(c) for c in row.get("choices") or ()) if answerable else ())

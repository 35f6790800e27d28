"""Gold-set loading, validation and reference resolution, on small files written here and
on the shipped sample set against the real sample index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.gold import DocumentIndex, GoldSetError, gold_items, load_gold_set, resolve_gold_docs
from ingest.store.records import DocumentRecord
from service.assembly import Components
from service.settings import PROJECT_ROOT

SAMPLE_SET = PROJECT_ROOT / "eval" / "gold" / "sample_gold.jsonl"


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def _row(**fields: object) -> dict[str, object]:
    row: dict[str, object] = {"id": "q1", "type": "single-fact", "question": "Who?", "answer": "Ada",
                              "aliases": [], "gold_docs": ["Some title"]}
    row.update(fields)
    return row


def _doc(doc_id: str, title: str, url: str | None = None) -> DocumentRecord:
    return DocumentRecord(doc_id=doc_id, content_hash="h", title=title, text="t", url=url,
                          published=None, source=None, author=None, origin="", n_chunks=1,
                          ingested_at="")


def test_sample_set_loads_with_every_type() -> None:
    gold = load_gold_set(SAMPLE_SET)
    assert gold.name == "sample_gold" and len(gold.questions) == 78
    assert {q.type for q in gold.questions} == {
        "single-fact", "synthesis", "date-sensitive", "numeric", "comparison", "follow-up",
        "unanswerable", "injection"}
    follow_up = next(q for q in gold.questions if q.history)
    assert follow_up.history[0]["role"] == "user"
    assert all(not q.answerable and not q.answers for q in gold.questions if q.type == "unanswerable")


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.jsonl", [
        _row(),
        "{not json",
        _row(id="q1"),
        _row(id="q3", type="trivia"),
        _row(id="q4", type="unanswerable", answer="Ada", gold_docs=[]),
        _row(id="q5", gold_docs=[]),
        _row(id="q6", as_of="12/03/2025"),
        _row(id="q7", history=[{"role": "bot", "content": "hi"}]),
        {"id": "q8", "type": "numeric"},
        _row(id="q 9", aliases="Ada"),
    ])
    with pytest.raises(GoldSetError) as caught:
        load_gold_set(path)
    problems = "\n".join(caught.value.problems)
    for expected in ("line 2: invalid JSON", "line 3: duplicate id 'q1'", "line 4: type 'trivia'",
                     "line 5: an unanswerable question", "line 6: gold_docs is empty",
                     "line 7: as_of '12/03/2025'", "line 8: history", "line 9: missing field 'question'",
                     "line 10: id 'q 9'", "line 10: aliases must be a list"):
        assert expected in problems
    assert not any(p.startswith("line 1:") for p in caught.value.problems)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GoldSetError, match="no questions"):
        load_gold_set(_write(tmp_path / "empty.jsonl", [""]))


def test_sidecar_declares_the_corpus(tmp_path: Path) -> None:
    path = _write(tmp_path / "mine.jsonl", [_row()])
    assert load_gold_set(path).corpus is None
    (tmp_path / "mine.meta.json").write_text(json.dumps({"corpus": "articles"}))
    assert load_gold_set(path).corpus == (tmp_path / "articles").resolve()


def test_references_resolve_by_title_then_id_then_canonical_url() -> None:
    index = DocumentIndex.of([
        _doc("d1", "Bridge reopens", "https://news.example/bridge/"),
        _doc("d2", "d1"),
        _doc("d3", "Pool closes", "https://news.example/pool?id=3"),
        _doc("d4", "Pool closes"),
    ])
    assert index.resolve("Bridge reopens") == "d1"
    assert index.resolve("d1") == "d2", "an exact title wins over an id"
    assert index.resolve("d3") == "d3"
    assert index.resolve("HTTPS://News.Example/bridge?utm_source=x") == "d1"
    assert index.resolve("https://news.example/pool?id=3") == "d3"
    with pytest.raises(LookupError, match="shared by 2 documents"):
        index.resolve("Pool closes")
    with pytest.raises(LookupError, match="matches no title, id or URL"):
        index.resolve("Bridge closes")


def test_sample_set_resolves_against_the_sample_index(sample_components: Components) -> None:
    gold = load_gold_set(SAMPLE_SET)
    resolved = resolve_gold_docs(gold, sample_components.catalog)
    assert all(resolved[q.id] for q in gold.questions if q.answerable)
    synthesis = [q for q in gold.questions if q.type == "synthesis"]
    assert all(len(resolved[q.id]) == len(q.gold_docs) for q in synthesis)
    items = gold_items(gold, sample_components.catalog)
    assert [i.id for i in items] == [q.id for q in gold.questions]


def test_unknown_references_fail_naming_each_question(tmp_path: Path,
                                                      sample_components: Components) -> None:
    path = _write(tmp_path / "typos.jsonl", [
        _row(id="a", gold_docs=["Port Alder Mariners win first league title in 31 years"]),
        _row(id="b", gold_docs=["Port Alder Mariners win first league title in 32 years"]),
        _row(id="c", gold_docs=["https://nowhere.example/story"]),
    ])
    with pytest.raises(GoldSetError) as caught:
        resolve_gold_docs(load_gold_set(path), sample_components.catalog)
    assert [p.split(":")[0] for p in caught.value.problems] == ["b", "c"]

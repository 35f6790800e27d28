"""``newsqa eval`` / ``eval-baseline`` end to end on a tiny corpus, gold set and benchmark
written here; results, baselines and indexes go to a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import baseline, benchmark, command
from service import cli

ARTICLES = [
    {"id": "tram-1", "title": "New tram depot opens in Eastfield", "published": "2025-05-02",
     "source": "Metro Wire", "url": "https://metro.example/tram-depot",
     "text": "The new tram depot in Eastfield opened on Friday. It has space for 40 trams and "
             "cost 85 million euros. The depot was designed by the engineering firm Halvorsen Kade."},
    {"id": "pool-1", "title": "Riverside pool closes for repairs", "published": "2025-06-10",
     "source": "Metro Wire", "url": "https://metro.example/pool",
     "text": "The Riverside swimming pool closed on Monday for roof repairs. The city expects "
             "the pool to reopen in September after the roof is replaced."},
]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(command, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(benchmark, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(baseline, "BASELINES_DIR", tmp_path / "baselines")
    monkeypatch.setenv("NEWSQA_DATA_DIR", str(tmp_path / "user-data"))
    return tmp_path


def _gold_set(folder: Path) -> Path:
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n")
    rows = [
        {"id": "t1", "type": "numeric", "question": "How many trams does the new Eastfield depot hold?",
         "answer": "40 trams", "aliases": ["40"], "gold_docs": ["New tram depot opens in Eastfield"]},
        {"id": "t2", "type": "single-fact", "question": "Which firm designed the Eastfield tram depot?",
         "answer": "Halvorsen Kade", "aliases": [], "gold_docs": ["https://metro.example/tram-depot"]},
        {"id": "t3", "type": "unanswerable", "question": "Who is the head coach of the Eastfield tram workers' football team?",
         "answer": "", "aliases": [], "gold_docs": []},
    ]
    path = folder / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (folder / "tiny.meta.json").write_text(json.dumps({"corpus": "corpus"}))
    return path


def test_eval_baseline_then_eval_reports_deltas(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = _gold_set(workspace)
    assert cli.main(["eval-baseline", "--set", str(gold), "--quiet"]) == 0
    out = capsys.readouterr().out
    recorded = workspace / "baselines" / "tiny-extractive.json"
    assert f"baseline recorded: {recorded}" in out
    stored = json.loads(recorded.read_text())
    assert stored["questions"] == 3 and stored["tolerances"]["default"] == 0.03
    assert stored["overall"]["recall@1"] == 1.0

    assert cli.main(["eval", "--set", str(gold), "--quiet", "--compare-retrieval",
                     "--out", str(workspace / "out")]) == 0
    out = capsys.readouterr().out
    assert "numeric" in out and "ALL" in out
    assert "retrieval modes" in out and "hybrid+rerank" in out
    assert f"against {recorded}" in out and "recall@1" in out and "FAIL" not in out
    for name in ("result.json", "report.md", "report.png"):
        assert (workspace / "out" / name).stat().st_size > 0
    result = json.loads((workspace / "out" / "result.json").read_text())
    assert [q["id"] for q in result["questions"]] == ["t1", "t2", "t3"]
    assert result["questions"][1]["gold_doc_ids"] == ["tram-1"]
    assert set(result["retrieval_comparison"]) == {"dense", "hybrid", "hybrid+rerank"}
    assert all(row["recall@5"] == 1.0 for row in result["retrieval_comparison"].values())
    report = (workspace / "out" / "report.md").read_text()
    assert "## Against the baseline" in report and "## Retrieval modes" in report
    assert not (workspace / "user-data").exists(), "evals never touch the user's index"


def test_subset_by_ids_and_unknown_id(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = _gold_set(workspace)
    assert cli.main(["eval", "--set", str(gold), "--subset", "t3", "--quiet"]) == 0
    result = json.loads((workspace / "results" / "tiny-extractive" / "result.json").read_text())
    assert [q["id"] for q in result["questions"]] == ["t3"]
    capsys.readouterr()
    assert cli.main(["eval", "--set", str(gold), "--subset", "t9", "--quiet"]) == 2
    assert "error: unknown question id(s) in --subset: t9" in capsys.readouterr().err


def test_bench_asks_as_of_the_question_date(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = workspace / "tiny-bench"
    folder.mkdir()
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n")
    questions = [
        {"id": "b1", "question": "Which firm designed the new tram depot?", "answer": "Halvorsen Kade",
         "choices": ["Brennan Architects", "Halvorsen Kade", "City Works"], "date": "2025-05-03",
         "evidence_id": "tram-1", "answerable": True},
        {"id": "b2", "question": "When will the Riverside pool reopen?", "answer": "September",
         "choices": [], "date": "2025-05-03", "evidence_id": None, "answerable": False},
    ]
    (folder / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in questions) + "\n")
    assert cli.main(["eval", "--bench", str(folder), "--quiet"]) == 0
    result = json.loads((workspace / "results" / "tiny-bench-extractive" / "result.json").read_text())
    by_id = {q["id"]: q for q in result["questions"]}
    assert by_id["b1"]["as_of"] == "2025-05-03" and by_id["b1"]["scores"]["recall@1"] == 1.0
    assert by_id["b1"]["scores"]["choice_correct"] == 1.0
    assert by_id["b2"]["scores"]["choice_correct"] is None
    assert "pool-1" not in by_id["b2"]["retrieved_doc_ids"], "published after the question date"
    assert by_id["b2"]["refused"] and by_id["b2"]["scores"]["refusal_accuracy"] == 1.0
    assert result["summary"]["refusals"]["unanswerable"] == {by_id["b2"]["refusal"]: 1}
    report = (workspace / "results" / "tiny-bench-extractive" / "report.md").read_text()
    assert f"| {by_id['b2']['refusal']} | 0 | 1 |" in report
    assert (workspace / "results" / "bench-index" / "tiny-bench").is_dir()


def test_broken_benchmark_is_reported(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = workspace / "broken"
    folder.mkdir()
    (folder / "articles.jsonl").write_text(json.dumps(ARTICLES[0]) + "\n")
    (folder / "questions.jsonl").write_text(json.dumps(
        {"id": "x", "question": "?", "answer": "a", "date": "2025-01-01", "evidence_id": "nope",
         "answerable": True}) + "\n")
    assert cli.main(["eval", "--bench", str(folder), "--quiet"]) == 2
    assert "evidence_id 'nope' is not among the articles" in capsys.readouterr().err


def test_a_set_can_be_measured_in_a_collection_of_its_own(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = _gold_set(workspace)
    out = workspace / "results" / "tiny-extractive" / "result.json"
    assert cli.main(["eval", "--set", str(gold), "--subset", "t1,t2", "--quiet", "--collection", "metro"]) == 0
    in_collection = [q["scores"] for q in json.loads(out.read_text())["questions"]]
    index = workspace / "results" / "index" / "tiny" / "int8"
    assert (index / "collections" / "metro" / "catalog.sqlite3").exists()
    assert cli.main(["eval", "--set", str(gold), "--subset", "t1,t2", "--quiet"]) == 0
    assert [q["scores"] for q in json.loads(out.read_text())["questions"]] == in_collection
    assert all(s["recall@1"] == 1.0 for s in in_collection), in_collection
    capsys.readouterr()
    assert cli.main(["docs", "list", "--json"]) == 0  # the user's own data dir is left alone
    assert json.loads(capsys.readouterr().out)["total"] == 0

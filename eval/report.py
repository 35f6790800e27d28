"""What a run leaves behind: ``result.json`` (everything, for scripts and baselines),
``report.md`` (for people and pull requests) and ``report.png`` (metrics by question type
and the latency distribution), plus the compact table the CLI prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from eval.summary import METRICS

TABLE_METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "answer_correct", "token_f1", "choice_correct",
                 "citation_precision", "citation_recall", "refusal_accuracy", "false_refusal_rate")
CHART_METRICS = ("recall@5", "answer_correct", "citation_precision", "citation_recall", "refusal_accuracy")
CHART_STAGES = ("embed", "rerank", "generate", "total")


def write_reports(result: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "result.json", "markdown": out_dir / "report.md", "chart": out_dir / "report.png"}
    paths["json"].write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["markdown"].write_text(markdown(result, chart=paths["chart"].name), encoding="utf-8")
    chart(result, paths["chart"])
    return paths


def _fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: Iterable[str], rows: Iterable[Iterable[object]], digits: int = 3) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(c, digits) for c in row) + " |" for row in rows]
    return lines


def markdown(result: dict[str, Any], chart: str | None = None) -> str:
    summary = result["summary"]
    overall = summary["overall"]
    lines = [f"# Eval: {result['set']} ({result['backend']} backend)", "",
             f"{summary['questions']} questions, {result['duration_s']:.0f} s on {result['machine']}; "
             f"retrieval `{result['settings']['retrieval_mode']}`, rerank {result['settings']['rerank']}, "
             f"top_k {result['settings']['top_k']}; run at {result['started_at']}.", ""]
    if chart:
        lines += [f"![metrics by type and latency]({chart})", ""]
    lines += ["## Overall", ""]
    lines += _table(["metric", "value", "questions"],
                    [(m, overall["metrics"][m], overall["counts"][m]) for m in METRICS])
    lines += ["", "## By question type", ""]
    lines += _table(["type", "n", *TABLE_METRICS],
                    [(t, g["n"], *(g["metrics"][m] for m in TABLE_METRICS))
                     for t, g in summary["by_type"].items()])
    lines += ["", "## Latency (ms)", ""]
    lines += _table(["stage", "p50", "p95", "mean"],
                    [(s, v["p50"], v["p95"], v["mean"]) for s, v in summary["latency_ms"].items()], digits=0)
    lines += _refusals_section(summary["refusals"])
    lines += _comparison_section(result.get("retrieval_comparison"))
    lines += _baseline_section(result.get("baseline"))
    lines += _misses_section(result["questions"])
    return "\n".join(lines) + "\n"


def _refusals_section(refusals: dict[str, dict[str, int]]) -> list[str]:
    """Which check refused: on answerable questions these are the false refusals to work on."""
    codes = sorted({code for counts in refusals.values() for code in counts})
    if not codes:
        return []
    return ["", "## Refusals by reason", "",
            *_table(["reason", "answerable (false refusals)", "unanswerable"],
                    [(code, refusals["answerable"].get(code, 0), refusals["unanswerable"].get(code, 0))
                     for code in codes])]


def _comparison_section(comparison: dict[str, dict[str, Any]] | None) -> list[str]:
    if not comparison:
        return []
    columns = ("recall@1", "recall@5", "recall@10", "mrr@10", "answer_bearing@5", "retrieval_p50_ms")
    return ["", "## Retrieval modes (answerable questions)", "",
            *_table(["mode", *columns], [(mode, *(row[c] for c in columns[:-1]), _ms(row[columns[-1]]))
                                         for mode, row in comparison.items()])]


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def _baseline_section(baseline: dict[str, Any] | None) -> list[str]:
    if not baseline:
        return ["", "## Baseline", "", "No stored baseline for this set and backend."]
    lines = ["", "## Against the baseline", "", f"`{baseline['path']}`"
             + ("" if baseline["comparable"] else " (recorded on other questions: deltas are indicative only)"), ""]
    lines += _table(["metric", "baseline", "now", "change", "tolerance", "status"],
                    [(d["metric"], d["baseline"], d["current"], d["change"], d["tolerance"],
                      "FAIL" if d["failed"] else "ok") for d in baseline["deltas"]])
    return lines


def _misses_section(questions: list[dict[str, Any]], limit: int = 40) -> list[str]:
    """The questions a reader should look at first, with what was said."""
    misses = [q for q in questions if q["scores"].get("answer_correct") == 0.0
              or q["scores"].get("refusal_accuracy") == 0.0]
    if not misses:
        return []
    rows = []
    for q in misses[:limit]:
        expected = "(refuse)" if not q["answerable"] else " / ".join(q["answers"][:2])
        said = f"(refused: {q['refusal']}) {q['generated']}".strip() if q["refused"] else q["answer"]
        rows.append((q["id"], q["type"], _cell(q["question"]), _cell(expected), _cell(said, 160),
                     q["scores"].get("recall@5")))
    return ["", f"## Misses ({len(misses)})", "",
            *_table(["id", "type", "question", "expected", "answer", "recall@5"], rows)]


def _cell(text: str, limit: int = 100) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def console_table(result: dict[str, Any]) -> str:
    """The compact table the CLI prints: one row per type plus the total."""
    summary = result["summary"]
    short = {"recall@1": "R@1", "recall@5": "R@5", "recall@10": "R@10", "mrr@10": "MRR",
             "answer_correct": "ans", "token_f1": "F1", "choice_correct": "choice", "citation_precision": "citP",
             "citation_recall": "citR", "refusal_accuracy": "refuse", "false_refusal_rate": "falseRef"}
    header = f"{'type':<15}{'n':>4}" + "".join(f"{short[m]:>9}" for m in TABLE_METRICS)
    rows = [header]
    groups = [*summary["by_type"].items(), ("ALL", summary["overall"])]
    for name, group in groups:
        rows.append(f"{name:<15}{group['n']:>4}" + "".join(f"{_fmt(group['metrics'][m]):>9}" for m in TABLE_METRICS))
    latency = summary["latency_ms"].get("total")
    if latency:
        rows.append(f"latency total: p50 {latency['p50']:.0f} ms, p95 {latency['p95']:.0f} ms")
    for kind, counts in summary["refusals"].items():
        if counts:
            rows.append(f"refused ({kind}): " + ", ".join(f"{code} {n}" for code, n in counts.items()))
    return "\n".join(rows)


def chart(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_type = result["summary"]["by_type"]
    types = list(by_type)
    fig, (bars, boxes) = plt.subplots(1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [2.2, 1]})
    width = 0.8 / len(CHART_METRICS)
    for i, metric in enumerate(CHART_METRICS):
        values = [by_type[t]["metrics"][metric] for t in types]
        xs = [x + i * width for x, v in enumerate(values) if v is not None]
        drawn = bars.bar(xs, [v for v in values if v is not None], width, label=metric)
        bars.bar_label(drawn, fmt="%.2f", fontsize=6, rotation=90, padding=2)
    bars.set_xticks([x + 0.4 - width / 2 for x in range(len(types))], types, rotation=25, ha="right")
    bars.set_ylim(0, 1.25)
    bars.set_title(f"{result['set']} ({result['backend']}): metrics by question type")
    bars.legend(fontsize=8, loc="upper center", ncols=len(CHART_METRICS))
    bars.grid(axis="y", alpha=0.3)
    stages = [s for s in CHART_STAGES if any(s in q["timings_ms"] for q in result["questions"])]
    data = [[q["timings_ms"][s] / 1000 for q in result["questions"] if s in q["timings_ms"]] for s in stages]
    boxes.boxplot(data, tick_labels=stages, showfliers=True)
    boxes.set_ylabel("seconds")
    boxes.set_title("latency per question")
    boxes.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


"""``newsqa eval`` and ``newsqa eval-baseline``: a gold set or an external benchmark
through the full stack, on an index of its own, with reports and baseline deltas.

Recording a baseline is a separate, explicit command so that a plain run can never move
the bar it is measured against.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from eval.baseline import baseline_path, record_baseline
from eval.benchmark import bench_items, load_benchmark
from eval.errors import EvalInputError
from eval.evaluation import attach_baseline, evaluate
from eval.gold import gold_items, load_gold_set
from eval.report import console_table, write_reports
from eval.runner import EvalItem, QuestionResult, eval_components
from eval.stack import RESULTS_DIR, eval_settings, sync_index
from service.assembly import Components
from service.progress_bar import ingest_bar
from service.settings import PROJECT_ROOT

DEFAULT_SET = PROJECT_ROOT / "eval" / "gold" / "sample_gold.jsonl"


def add_commands(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                 parents: list[argparse.ArgumentParser]) -> None:
    """``--collection`` (``parents``) indexes the set into that collection of the eval's
    own data dir, made when missing, so a set can be measured beside other corpora."""
    run = sub.add_parser("eval", help="run a gold set or benchmark; report and compare with the baseline",
                         parents=parents)
    _options(run)
    run.set_defaults(func=cmd_eval)
    record = sub.add_parser("eval-baseline", help="run like `eval` and store the result as the new baseline",
                            parents=parents)
    _options(record)
    record.set_defaults(func=cmd_eval_baseline)


def _options(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--set", type=Path, default=DEFAULT_SET,
                      help="gold set (JSONL, see eval/gold/README.md); default: the sample set")
    what.add_argument("--bench", type=Path, help="benchmark folder with articles.jsonl and questions.jsonl")
    parser.add_argument("--backend", choices=("local", "openai", "extractive"), default="extractive",
                        help="answer generator (default: extractive, the one CI gates)")
    parser.add_argument("--out", type=Path, help="report folder (default: eval-results/<set>-<backend>)")
    parser.add_argument("--subset", help="first N questions, or comma-separated question ids")
    parser.add_argument("--limit", type=int, help="N questions spread evenly over the set")
    parser.add_argument("--corpus", type=Path,
                        help="corpus folder of a gold set (default: what the set declares, else the sample corpus)")
    parser.add_argument("--compare-retrieval", action="store_true",
                        help="also rank with dense, hybrid and hybrid+rerank and compare recall")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


@dataclass
class Prepared:
    name: str
    source: str
    components: Components
    items: list[EvalItem]


def prepare(base: Components, args: argparse.Namespace) -> Prepared:
    """Builds the eval's own stack and index and turns the set into runner items."""
    if args.bench:
        bench = load_benchmark(args.bench)
        stack = eval_components(eval_settings(base.settings, bench.data_dir, args.backend))
        _ingest(stack, [str(bench.articles)], args.quiet)
        items = bench_items(bench, stack.corpus().catalog)
        name, source = bench.name, str(bench.folder)
    else:
        gold = load_gold_set(args.set)
        corpus = args.corpus or gold.corpus or base.settings.sample_corpus_dir
        stack = eval_components(eval_settings(base.settings, RESULTS_DIR / "index" / gold.name, args.backend))
        _ingest(stack, [str(corpus)], args.quiet)
        items = gold_items(gold, stack.corpus().catalog)
        name, source = gold.name, str(gold.path)
    return Prepared(name, source, stack, spread(select(items, args.subset), args.limit))


def select(items: list[EvalItem], selector: str | None) -> list[EvalItem]:
    """``selector`` is a count (the first N questions) or comma-separated question ids."""
    if not selector:
        return items
    if selector.isdigit():
        return items[:int(selector)]
    wanted = [s.strip() for s in selector.split(",") if s.strip()]
    known = {item.id: item for item in items}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise EvalInputError(f"unknown question id(s) in --subset: {', '.join(unknown)}")
    return [known[w] for w in wanted]


def spread(items: list[EvalItem], limit: int | None) -> list[EvalItem]:
    """``limit`` items evenly spaced over the list, so a quick run still sees every part
    of a set ordered by date or by type."""
    if not limit or limit >= len(items):
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


def _ingest(stack: Components, sources: list[str], quiet: bool) -> None:
    name = stack.settings.default_collection
    if stack.corpora.find(name) is None:
        stack.corpora.create(name)
    with ingest_bar(None, desc="index", quiet=quiet) as on_progress:
        report = sync_index(stack, sources, progress=on_progress)
    print(f"index {stack.settings.data_dir}: added {len(report.added)}, updated {len(report.updated)}, "
          f"unchanged {len(report.unchanged)} in {report.seconds:.1f} s", file=sys.stderr)


def _run(base: Components, args: argparse.Namespace) -> tuple[dict[str, Any], Path]:
    from tqdm import tqdm

    prepared = prepare(base, args)
    bar = tqdm(total=len(prepared.items), unit="q", desc="eval", disable=args.quiet,
               dynamic_ncols=True, file=sys.stderr)
    correct: list[float] = []

    def on_progress(done: int, total: int, result: QuestionResult) -> None:
        value = result.scores.get("answer_correct")
        if value is None:
            value = result.scores.get("refusal_accuracy")
        correct.append(value or 0.0)
        bar.update(1)
        bar.set_postfix(right=f"{sum(correct) / len(correct):.2f}")

    try:
        result = evaluate(prepared.components, prepared.items, set_name=prepared.name,
                          source=prepared.source, compare_modes=args.compare_retrieval,
                          progress=on_progress)
    finally:
        bar.close()
        prepared.components.close()
    out = args.out or RESULTS_DIR / f"{prepared.name}-{args.backend}"
    return result, out


def _reported(command: Callable[[Components, argparse.Namespace], int]) -> Callable[[Components, argparse.Namespace], int]:
    """Input errors end the command with their message and exit code 2."""
    def run(base: Components, args: argparse.Namespace) -> int:
        try:
            return command(base, args)
        except EvalInputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return run


@_reported
def cmd_eval(base: Components, args: argparse.Namespace) -> int:
    result, out = _run(base, args)
    baseline = attach_baseline(result, baseline_path(result["set"], result["backend"], args.limit))
    paths = write_reports(result, out)
    print(console_table(result))
    if result.get("retrieval_comparison"):
        print(_comparison_lines(result["retrieval_comparison"]))
    regressed = _print_deltas(baseline, result)
    print(f"reports: {paths['markdown']}, {paths['chart']}, {paths['json']}")
    return 1 if regressed else 0


@_reported
def cmd_eval_baseline(base: Components, args: argparse.Namespace) -> int:
    result, out = _run(base, args)
    path = baseline_path(result["set"], result["backend"], args.limit)
    record_baseline(path, result)
    attach_baseline(result, path)
    paths = write_reports(result, out)
    print(console_table(result))
    print(f"baseline recorded: {path}")
    print(f"reports: {paths['markdown']}, {paths['chart']}, {paths['json']}")
    return 0


def _comparison_lines(comparison: dict[str, dict[str, Any]]) -> str:
    lines = ["retrieval modes (answerable questions):"]
    for mode, row in comparison.items():
        lines.append(f"  {mode:<14} R@1 {_num(row['recall@1'])}  R@5 {_num(row['recall@5'])}  "
                     f"R@10 {_num(row['recall@10'])}  answer-bearing@5 {_num(row['answer_bearing@5'])}  "
                     f"p50 {_num(row['retrieval_p50_ms'], 0)} ms")
    return "\n".join(lines)


def _print_deltas(baseline: dict[str, Any] | None, result: dict[str, Any]) -> bool:
    """Prints the deltas; True when a comparable baseline shows a regression."""
    if baseline is None:
        print(f"no baseline for {result['set']} + {result['backend']} "
              f"(record one with `newsqa eval-baseline`)")
        return False
    note = "" if baseline["comparable"] else "  (baseline measured on other questions: indicative only)"
    print(f"against {baseline['path']}{note}:")
    failed = []
    for d in baseline["deltas"]:
        change = "  n/a" if d["change"] is None else f"{d['change']:+.3f}"
        status = "FAIL" if d["failed"] else "ok"
        print(f"  {d['metric']:<20} {d['baseline']:.3f} -> {_num(d['current'])}  {change}  "
              f"(tolerance {d['tolerance']:.2f}) {status}")
        if d["failed"]:
            failed.append(d["metric"])
    if failed and baseline["comparable"]:
        print(f"REGRESSION: {', '.join(failed)}")
        return True
    return False


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"

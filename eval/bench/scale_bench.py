"""Archive scale benchmark: how ingest time, search and ask latency, memory, disk and
start-up grow with the corpus, from a thousand articles to a hundred thousand, and where
the first knee is.

    python -m eval.bench.scale_bench [--sizes 1000,10000,100000] [--data-dir DIR]
        [--clients 16] [--requests N] [--vocabulary PATH ...] [--seed N]
        [--reingest-max N] [--out FILE]

One data dir grows through the sizes: at each one, only the articles added since the
previous size are ingested, through the ingest's own loaders and pipeline (JSONL files of a
synthetic archive, ``eval.bench.archive_generator``; extractive backend, embedded stores),
and then the whole corpus so far is ingested again unchanged (at most ``--reingest-max``
articles of it: past that a sample, compared per article). Then ``newsqa serve`` starts on
the data dir and real HTTP clients send ``/v1/search`` (with and without rerank; no date,
``as_of``, a month's ``date_from``/``date_to``) and ``/v1/ask`` with ``as_of``, ``--requests``
of each from 1 client and again from ``--clients`` at once. The questions are sentences of
articles of the smallest corpus, so every size is asked the same answerable questions.

The data dir must start empty (the archive is written beside it, ``DIR-archive``). Figures
are printed per size with their growth between consecutive sizes, and written to
``bench-results/scale.json`` and a chart ``bench-results/scale.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import platform
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterator, Sequence

import httpx

from eval.bench.archive_generator import (DEFAULT_SEED, LAST_DAY, ArchiveGenerator, load_vocabulary,
                                          write_jsonl)
from eval.bench.common import (RESULTS_DIR, RssMonitor, free_port, start_server, stop_server,
                               write_results)
from eval.bench.load_bench import Outcome, Query, Target, limit_overrides, summarize, timed_send
from ingest.chunking import sentence_spans
from ingest.cleaning import clean_text
from service.assembly import Components
from service.settings import Settings

DEFAULT_SIZES = (1_000, 10_000, 100_000)
# Below the ingest's 32 MB file limit at the longest articles.
ARTICLES_PER_FILE = 2_000
REINGEST_MAX = 20_000
QUESTIONS = 40
QUESTION_WORDS = (8, 14)
# Articles drawn per question wanted before giving up: almost all of them are dated.
QUESTION_TRIES = 20
AS_OF_DAYS_AFTER = 30
WARMUP_REQUESTS = 3
REST_SETTLE_S = 1.0
DATE_BOUNDS = ("", "as_of", "month")
PERCENTILES = (50, 95)
BACKEND = "extractive"


@dataclass(frozen=True)
class Phase:
    """One kind of request: the endpoint, whether it reranks, and its date bound."""

    target: Target
    bound: str

    @property
    def name(self) -> str:
        return f"{self.target.name}-{self.bound}" if self.bound else self.target.name

    def query(self, question: Query) -> Query:
        return Query(question.text, question.as_of if self.bound == "as_of" else None,
                     question.window if self.bound == "month" else None)


PHASES = tuple(Phase(Target("search", rerank=rerank), bound)
               for rerank in (True, False) for bound in DATE_BOUNDS) + (Phase(Target("ask"), "as_of"),)


@dataclass(frozen=True)
class Figure:
    """One number per size: where it sits in the JSON, its panel of the chart, and which
    way is worse (a rate that falls costs like a latency that rises)."""

    key: str
    unit: str
    panel: str
    higher_is_better: bool = False


def figures_of(clients: int) -> tuple[Figure, ...]:
    fixed = (Figure("ingest_docs_per_s", "docs/s", "ingest rate", True),
             Figure("ingest_chunks_per_s", "chunks/s", "ingest rate", True),
             Figure("reingest_ratio_pct", "%", "unchanged re-ingest, % of first"),
             Figure("disk_mb_per_1k", "MB", "disk per 1k articles"),
             Figure("startup_s", "s", "start-up to /readyz"),
             Figure("rss_rest_mb", "MB", "server RSS"),
             Figure("rss_load_peak_mb", "MB", "server RSS"),
             Figure("errors", "requests", "errors"))
    latency = tuple(Figure(latency_key(phase.name, q, c), "ms", f"p{q} ms, {c} client{'s' if c > 1 else ''}")
                    for c in client_counts(clients) for q in PERCENTILES for phase in PHASES)
    return fixed + latency


def latency_key(phase: str, percentile: int, clients: int) -> str:
    return f"{phase} p{percentile} c{clients}"


def client_counts(clients: int) -> list[int]:
    return sorted({1, clients})


def archive_files(generator: ArchiveGenerator, start: int, stop: int, folder: Path) -> list[Path]:
    """Articles ``start`` to ``stop`` as JSONL files of at most ``ARTICLES_PER_FILE``."""
    files = []
    for first in range(start, stop, ARTICLES_PER_FILE):
        last = min(first + ARTICLES_PER_FILE, stop)
        path = folder / f"articles-{first:07d}-{last:07d}.jsonl"
        write_jsonl(generator.articles(first, last), path)
        files.append(path)
    return files


def settings_for(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, llm_backend=BACKEND, _env_file=None)


def ingest_files(components: Components, files: Sequence[Path]) -> dict[str, Any]:
    """One ``newsqa ingest`` of ``files``, in this process: loaders, pipeline, stores."""
    items = list(components.sources.read([str(f) for f in files]))
    started = time.perf_counter()
    report = components.corpus().indexer.ingest(items)
    seconds = time.perf_counter() - started
    return {"articles": len(items), "added": len(report.added), "updated": len(report.updated),
            "unchanged": len(report.unchanged), "failed": len(report.failed), "chunks": report.chunks,
            "seconds": round(seconds, 2), "docs_per_s": round(len(items) / seconds, 2),
            "chunks_per_s": round(report.chunks / seconds, 2)}


def reingest_sample(files: Sequence[Path], articles: int, limit: int) -> list[Path]:
    """The first files holding at least ``limit`` articles (all of them when fewer)."""
    if articles <= limit:
        return list(files)
    taken, counted = [], 0
    for path in files:
        taken.append(path)
        counted += sum(1 for line in path.open() if line.strip())
        if counted >= limit:
            break
    return taken


def grow(components: Components, files: Sequence[Path], increment: Sequence[Path],
         size: int, first_ingest_s: float, reingest_max: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The increment's ingest, then the unchanged corpus so far again. The re-ingest is
    compared with the first ingest of the same articles, per article when it is a sample."""
    added = ingest_files(components, increment)
    total_first_s = first_ingest_s + added["seconds"]
    sample = reingest_sample(files, size, reingest_max)
    again = ingest_files(components, sample)
    per_article_first = total_first_s / size
    again.update(sampled=len(sample) < len(files), first_ingest_s=round(total_first_s, 2),
                 ratio_pct=round(100 * again["seconds"] / (again["articles"] * per_article_first), 3))
    return added, again


def tree_mb(path: Path) -> float:
    """Space the files take on disk (allocated blocks, as ``du`` counts them)."""
    if not path.exists():
        return 0.0
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_blocks * 512 for p in files) / 2**20


def disk(settings: Settings, size: int) -> dict[str, float]:
    """The stores of the data dir, without the model files it may also hold (they do not
    grow with the corpus)."""
    total = tree_mb(settings.data_dir)
    models = tree_mb(settings.model_files_dir) if settings.model_files_dir.is_relative_to(settings.data_dir) else 0.0
    stores = total - models
    return {"stores_mb": round(stores, 1), "catalog_mb": round(tree_mb(settings.catalog_path), 1),
            "chroma_mb": round(tree_mb(settings.chroma_path), 1), "models_mb": round(models, 1),
            "per_1k_articles_mb": round(stores * 1000 / size, 2)}


def questions_from(generator: ArchiveGenerator, pool: int, count: int) -> list[Query]:
    """Questions whose answers are in the corpus: the opening words of a sentence of a
    dated article among the first ``pool``, asked some days after it was published, and
    bounded to its month."""
    rng = random.Random(f"{generator.seed}/questions")
    queries: list[Query] = []
    for _ in range(count * QUESTION_TRIES):
        if len(queries) == count:
            break
        article = generator.article(rng.randrange(pool))
        if not article.published:
            continue
        text = clean_text(article.text)
        sentences = [text[a:b].split() for a, b in sentence_spans(text)]
        sentences = [words for words in sentences if len(words) >= QUESTION_WORDS[0]]
        words = rng.choice(sentences)[:rng.randint(*QUESTION_WORDS)]
        published = date.fromisoformat(article.published)
        as_of = min(published + timedelta(days=rng.randint(0, AS_OF_DAYS_AFTER)), LAST_DAY)
        month_end = (published.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        queries.append(Query(" ".join(words).rstrip(",;:.") + "?", as_of.isoformat(),
                             (published.replace(day=1).isoformat(), month_end.isoformat())))
    if not queries:
        raise ValueError(f"no dated article among the first {pool} to ask about")
    return queries


async def counted_phase(base_url: str, phase: Phase, queries: Sequence[Query], clients: int,
                        requests: int, timeout_s: float) -> tuple[list[Outcome], float, float]:
    """``requests`` requests shared by ``clients`` clients, each sending its next one as
    soon as its last is answered; returns the outcomes and when the phase started and ended."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    numbers = iter(range(requests))

    async def client_loop(client: httpx.AsyncClient) -> list[Outcome]:
        outcomes = []
        for number in numbers:
            outcome, _ = await timed_send(client, phase.target, phase.query(queries[number % len(queries)]),
                                          timeout_s)
            outcomes.append(outcome)
        return outcomes

    async with httpx.AsyncClient(base_url=base_url, timeout=timeout_s, limits=limits) as client:
        started = time.monotonic()
        runs = await asyncio.gather(*(client_loop(client) for _ in range(clients)))
    outcomes = [o for run in runs for o in run]
    return outcomes, started, max((o.done_at for o in outcomes), default=started)


def run_phase(base_url: str, phase: Phase, queries: Sequence[Query], clients: int, requests: int,
              timeout_s: float) -> dict[str, Any]:
    outcomes, started, ended = asyncio.run(counted_phase(base_url, phase, queries, clients, requests, timeout_s))
    return summarize(outcomes, started, ended)


@dataclass(frozen=True)
class LoadPlan:
    queries: Sequence[Query]
    clients: int
    requests: int
    warmup: int
    timeout_s: float


def serve_and_measure(data_dir: Path, plan: LoadPlan, log_path: Path) -> dict[str, Any]:
    """Start-up time, memory at rest and under load, and every phase's latency at 1 and at
    ``plan.clients`` clients, on a server started on the data dir."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("ab") as log:
        started = time.perf_counter()
        server = start_server(data_dir, BACKEND, port, env=limit_overrides(plan.clients), log=log)
        startup_s = time.perf_counter() - started
    try:
        time.sleep(REST_SETTLE_S)
        monitor = RssMonitor(server.pid)
        monitor.sample()
        rest_mb = monitor.peak_mb
        with monitor:
            for phase in PHASES if plan.warmup else ():
                run_phase(base_url, phase, plan.queries, 1, plan.warmup, plan.timeout_s)
            latency = {str(c): {phase.name: run_phase(base_url, phase, plan.queries, c, plan.requests, plan.timeout_s)
                                for phase in PHASES}
                       for c in client_counts(plan.clients)}
    finally:
        stop_server(server)
    return {"startup_s": round(startup_s, 2), "rss_rest_mb": round(rest_mb, 1),
            "rss_load_peak_mb": round(monitor.peak_mb, 1), "latency": latency}


def flat_figures(run: dict[str, Any]) -> dict[str, float | None]:
    """The run's numbers under the figures' keys: what is printed, charted and compared."""
    serving = run["serving"]
    values: dict[str, float | None] = {
        "ingest_docs_per_s": run["ingest"]["docs_per_s"], "ingest_chunks_per_s": run["ingest"]["chunks_per_s"],
        "reingest_ratio_pct": run["reingest"]["ratio_pct"], "disk_mb_per_1k": run["disk"]["per_1k_articles_mb"],
        "startup_s": serving["startup_s"], "rss_rest_mb": serving["rss_rest_mb"],
        "rss_load_peak_mb": serving["rss_load_peak_mb"],
        "errors": sum(p["requests"] - p["served"] for c in serving["latency"].values() for p in c.values()),
    }
    for clients, phases in serving["latency"].items():
        for name, figures in phases.items():
            for q in PERCENTILES:
                values[latency_key(name, q, int(clients))] = figures["latency_ms"][f"p{q}"]
    return values


def growth(table: dict[str, list[float | None]]) -> dict[str, list[float | None]]:
    """Each figure at a size over the same figure at the previous size."""
    return {key: [round(b / a, 3) if a and b is not None else None for a, b in itertools.pairwise(values)]
            for key, values in table.items()}


def knees(ratios: dict[str, list[float | None]], figures: Sequence[Figure], sizes: Sequence[int],
          top: int = 3) -> list[dict[str, Any]]:
    """Per step between sizes, the figures whose cost grew most: the first knee is where
    one of them outgrows the rest."""
    steps = []
    for step, (small, large) in enumerate(itertools.pairwise(sizes)):
        costs = [(1 / r if f.higher_is_better else r, f.key) for f in figures
                 if (r := ratios[f.key][step]) and f.key != "errors"]
        steps.append({"from": small, "to": large,
                      "fastest": [{"figure": key, "cost_growth": round(cost, 3)}
                                  for cost, key in sorted(costs, reverse=True)[:top]]})
    return steps


def chart(sizes: Sequence[int], table: dict[str, list[float | None]], figures: Sequence[Figure], path: Path) -> Path:
    """Every figure against corpus size, log-scale x, one panel per kind of figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels: dict[str, list[Figure]] = {}
    for figure in figures:
        panels.setdefault(figure.panel, []).append(figure)
    columns = 3
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6 * columns, 4 * rows), squeeze=False)
    for ax, (title, members) in zip(axes.flat, panels.items()):
        for figure in members:
            ax.plot(sizes, [float("nan") if v is None else v for v in table[figure.key]], marker="o",
                    label=figure.key)
        ax.set_xscale("log")
        ax.set_xticks(list(sizes), [short(size) for size in sizes])
        if members[0].unit == "ms":  # reranked and plain searches differ some fiftyfold
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("articles")
        ax.set_ylabel(members[0].unit)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def check_empty(data_dir: Path) -> None:
    """The first size is measured as a first ingest: a data dir that already holds an
    index would make it a re-ingest."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise SystemExit(f"{data_dir} is not empty: the benchmark grows an index from nothing; "
                         "remove it or give another --data-dir")


@dataclass(frozen=True)
class Plan:
    sizes: Sequence[int]
    data_dir: Path
    seed: int = DEFAULT_SEED
    vocabulary: Sequence[Path] = ()
    clients: int = 16
    requests: int = 40
    warmup: int = WARMUP_REQUESTS
    questions: int = QUESTIONS
    reingest_max: int = REINGEST_MAX
    timeout_s: float = 300.0


def measure(plan: Plan) -> dict[str, Any]:
    """Every size in turn on one growing data dir; the results, with the figures table,
    growth ratios and knees."""
    check_empty(plan.data_dir)
    generator = ArchiveGenerator(load_vocabulary(plan.vocabulary), plan.seed)
    queries = questions_from(generator, plan.sizes[0], plan.questions)
    load = LoadPlan(queries, plan.clients, plan.requests, plan.warmup, plan.timeout_s)
    archive = plan.data_dir.with_name(plan.data_dir.name + "-archive")
    log_path = plan.data_dir.with_name(plan.data_dir.name + "-server.log")
    figures = figures_of(plan.clients)
    runs = list(measured_sizes(plan, generator, archive, load, log_path))
    flat = [flat_figures(run) for run in runs]
    table = {f.key: [values[f.key] for values in flat] for f in figures}
    ratios = growth(table)
    return {"machine": platform.processor() or platform.machine(), "seed": plan.seed,
            "vocabulary": [str(p) for p in plan.vocabulary] or "ingest/sample_corpus",
            "sizes": list(plan.sizes), "clients": plan.clients, "requests_per_phase": plan.requests,
            "questions": len(queries), "reingest_max": plan.reingest_max, "data_dir": str(plan.data_dir),
            "runs": runs, "figures": table, "growth": ratios, "knees": knees(ratios, figures, plan.sizes)}


def measured_sizes(plan: Plan, generator: ArchiveGenerator, archive: Path, load: LoadPlan,
                   log_path: Path) -> Iterator[dict[str, Any]]:
    files: list[Path] = []
    first_ingest_s = 0.0
    previous = 0
    for size in plan.sizes:
        built = time.perf_counter()
        increment = archive_files(generator, previous, size, archive)
        files.extend(increment)
        settings = settings_for(plan.data_dir)
        components = Components(settings)
        try:
            components.warm_up()  # model exports are neither ingest time nor the server's start-up
            added, again = grow(components, files, increment, size, first_ingest_s, plan.reingest_max)
        finally:
            components.close()
        first_ingest_s = again["first_ingest_s"]
        run = {"size": size, "ingest": added, "reingest": again, "disk": disk(settings, size),
               "serving": serve_and_measure(plan.data_dir, load, log_path)}
        run["build_s"] = round(time.perf_counter() - built, 1)
        print_run(run)
        yield run
        previous = size


def print_run(run: dict[str, Any]) -> None:
    ingest, again, serving = run["ingest"], run["reingest"], run["serving"]
    print(f"== {run['size']:,} articles (this size took {run['build_s']:g} s)")
    print(f"  ingest of the {ingest['articles']:,} new articles: {ingest['seconds']:g} s, {ingest['docs_per_s']:g} docs/s, "
          f"{ingest['chunks_per_s']:g} chunks/s ({ingest['chunks']:,} chunks; added {ingest['added']}, "
          f"updated {ingest['updated']}, failed {ingest['failed']})")
    sample = (f"a sample of the first {again['articles']:,} articles, compared per article"
              if again["sampled"] else f"all {again['articles']:,} articles")
    print(f"  unchanged re-ingest of {sample}: {again['seconds']:g} s = {again['ratio_pct']:g}% of the first "
          f"ingest (unchanged {again['unchanged']}, updated {again['updated']}: earlier versions of a URL)")
    print(f"  disk {run['disk']['stores_mb']:g} MB ({run['disk']['per_1k_articles_mb']:g} MB per 1k articles; "
          f"catalog {run['disk']['catalog_mb']:g}, chroma {run['disk']['chroma_mb']:g}, models apart)")
    print(f"  start-up to /readyz {serving['startup_s']:g} s; server RSS at rest {serving['rss_rest_mb']:g} MB, "
          f"peak under load {serving['rss_load_peak_mb']:g} MB")
    for clients, phases in serving["latency"].items():
        for name, figures in phases.items():
            latency = figures["latency_ms"]
            print(f"  {clients:>3} client(s) {name:<26} p50 {latency['p50']!s:>9} ms  p95 {latency['p95']!s:>9} ms  "
                  f"{figures['throughput_rps']!s:>7} req/s  errors {figures['requests'] - figures['served']}")


def short(size: int) -> str:
    return f"{size / 1000:g}k" if size >= 1000 else str(size)


def print_growth(results: dict[str, Any]) -> None:
    sizes = results["sizes"]
    steps = "  ".join(f"{short(b)}/{short(a)}" for a, b in itertools.pairwise(sizes))
    print(f"figure at {', '.join(f'{s:,}' for s in sizes)} articles; growth {steps}")
    for key, values in results["figures"].items():
        shown_values = ", ".join("-" if v is None else f"{v:g}" for v in values)
        ratios = "  ".join("-" if r is None else f"{r:g}x" for r in results["growth"][key])
        print(f"  {key:<34} {shown_values:<32} {ratios}")
    for step in results["knees"]:
        fastest = ", ".join(f"{f['figure']} {f['cost_growth']:g}x" for f in step["fastest"])
        print(f"fastest-growing cost {step['from']:,} -> {step['to']:,}: {fastest}")


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or sizes != sorted(set(sizes)) or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive and increasing, e.g. 1000,10000")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                        help="corpus sizes in articles, increasing (default 1000,10000,100000)")
    parser.add_argument("--data-dir", type=Path, default=RESULTS_DIR / "scale-index",
                        help="an empty or missing folder that the index grows in")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients of the loaded phases")
    parser.add_argument("--requests", type=int, default=40, help="requests per phase and client count")
    parser.add_argument("--vocabulary", type=Path, action="append", default=[],
                        help="text to recombine articles from (folder, JSONL...; default the sample corpus)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--reingest-max", type=int, default=REINGEST_MAX,
                        help="largest re-ingest; past it the first N articles are a sample")
    parser.add_argument("--out", type=Path, help="result JSON (default bench-results/scale.json; the chart beside it)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1 or args.reingest_max < 1:
        parser.error("--clients, --requests and --reingest-max must be positive")

    results = measure(Plan(args.sizes, args.data_dir, args.seed, args.vocabulary, args.clients,
                           args.requests, reingest_max=args.reingest_max))
    print_growth(results)
    path = write_results("scale", results, args.out)
    print(f"results: {path}; chart: {chart(args.sizes, results['figures'], figures_of(args.clients), path.with_suffix('.png'))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

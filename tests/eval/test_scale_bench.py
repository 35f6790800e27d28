"""The synthetic archive is the same at every size and looks like news to the pipeline, and
the scale benchmark measures every figure it promises on a real server."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest

from eval.bench import scale_bench
from eval.bench.archive_generator import (MAX_CHARS, MEDIAN_CHARS, ArchiveGenerator, Vocabulary,
                                          load_vocabulary, write_jsonl)
from ingest.article import Article
from service.assembly import Components

URL_DAY = re.compile(r"/(\d{4})/(\d\d)/(\d\d)/")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="module")
def archive(vocabulary: Vocabulary) -> list[Article]:
    return list(ArchiveGenerator(vocabulary, seed=11).articles(0, 2000))


def test_the_same_seed_gives_the_same_articles_and_a_smaller_archive_is_the_start_of_a_larger(
        vocabulary: Vocabulary, archive: list[Article]) -> None:
    again = ArchiveGenerator(vocabulary, seed=11)
    assert list(again.articles(0, 40)) == archive[:40]
    assert list(again.articles(1500, 1520)) == archive[1500:1520]
    other = list(ArchiveGenerator(vocabulary, seed=12).articles(0, 40))
    assert all(a.text != b.text for a, b in zip(other, archive))


def test_lengths_are_drawn_like_news_pages(archive: list[Article]) -> None:
    lengths = sorted(len(a.text) for a in archive)
    assert 0.85 * MEDIAN_CHARS <= statistics.median(lengths) <= 1.15 * MEDIAN_CHARS
    assert lengths[int(0.99 * len(lengths))] > 9_000
    assert lengths[-1] <= MAX_CHARS + 400
    assert 0.01 <= sum(n < 1_000 for n in lengths) / len(lengths) <= 0.1


def test_dates_span_years_and_sources_put_some_in_their_urls(vocabulary: Vocabulary,
                                                            archive: list[Article]) -> None:
    years = {a.published[:4] for a in archive if a.published}
    assert years == {str(y) for y in range(2019, 2027)}
    assert 0.01 <= sum(a.published is None for a in archive) / len(archive) <= 0.1
    assert len({a.source for a in archive}) >= 30
    generator = ArchiveGenerator(vocabulary, seed=11)
    fresh = [a for i, a in enumerate(archive) if generator.update_of(i) is None]
    in_path = [(m, a) for a in fresh if (m := URL_DAY.search(a.url or ""))]
    assert 0.3 <= len(in_path) / len(fresh) <= 0.7
    assert all("-".join(m.groups()) == a.published for m, a in in_path if a.published)


def test_a_few_percent_are_later_versions_of_an_earlier_article(vocabulary: Vocabulary,
                                                                 archive: list[Article]) -> None:
    generator = ArchiveGenerator(vocabulary, seed=11)
    updates = [(i, generator.update_of(i)) for i in range(len(archive))]
    updates = [(i, j) for i, j in updates if j is not None]
    assert 0.02 <= len(updates) / len(archive) <= 0.06
    same_url = 0
    for later, earlier in updates:
        new, old = archive[later], archive[earlier]
        assert earlier < later
        assert new.title == old.title
        same_url += new.url == old.url and new.url is not None
        kept = set(old.text.split("\n\n")) & set(new.text.split("\n\n"))
        assert len(kept) >= len(old.text.split("\n\n")) // 3, (later, earlier)
        assert new.text != old.text
        if old.published:
            assert old.published <= new.published
    assert 0.3 <= same_url / len(updates) <= 0.7


def test_versions_and_dotted_dates_stay_as_written_while_figures_move(tmp_path: Path) -> None:
    export = tmp_path / "pages.jsonl"
    export.write_text(json.dumps({"title": "Firmware update", "text":
                                  "Version 2.12.1 of the firmware, dated 04.01.2023, fixed 3,400 kettles "
                                  "at a cost of 12.5 million."}) + "\n")
    text = ArchiveGenerator(load_vocabulary([export])).article(0).text
    assert "2.12.1" in text and "04.01.2023" in text
    assert "3,400" not in text or "12.5" not in text, "quantities are varied"


def test_any_text_the_ingest_reads_can_be_the_vocabulary(tmp_path: Path) -> None:
    export = tmp_path / "pages.jsonl"
    export.write_text(json.dumps({"title": "Lighthouse keepers return", "text":
                                  "The lighthouse on Corran Point was staffed again on Monday. "
                                  "Keepers will work in shifts of 14 days.\n\nThe beacon had been automatic since 1987."}) + "\n")
    vocabulary = load_vocabulary([export])
    assert vocabulary.titles == ("Lighthouse keepers return",)
    text = ArchiveGenerator(vocabulary).article(3).text
    assert "lighthouse" in text and "beacon" in text


def test_generated_articles_go_through_the_real_ingest(components: Components, vocabulary: Vocabulary,
                                                       tmp_path: Path) -> None:
    generated = list(ArchiveGenerator(vocabulary).articles(0, 30))
    path = tmp_path / "archive.jsonl"
    write_jsonl(generated, path)
    loaded = [a for a in components.sources.read([str(path)]) if isinstance(a, Article)]
    assert [(a.title, a.text, a.url, a.published, a.source) for a in loaded] == \
        [(a.title, a.text, a.url, a.published, a.source) for a in generated]
    report = components.corpus().indexer.ingest(loaded)
    assert not report.failed
    assert len(report.added) + len(report.updated) == len({a.identity() for a in generated})
    assert report.chunks >= len(generated)
    again = components.corpus().indexer.ingest(components.sources.read([str(path)]))
    assert not again.added and len(again.unchanged) >= len(generated) - 2 * len(again.updated)


def test_a_tiny_run_measures_every_figure(tmp_path: Path) -> None:
    plan = scale_bench.Plan(sizes=[8, 16], data_dir=tmp_path / "data", clients=2, requests=2, warmup=0,
                            questions=3)
    results = scale_bench.measure(plan)
    figures = scale_bench.figures_of(plan.clients)
    assert set(results["figures"]) == {f.key for f in figures}
    missing = [key for key, values in results["figures"].items() if len(values) != 2 or None in values]
    assert not missing
    assert all(len(ratios) == 1 for ratios in results["growth"].values())
    assert results["figures"]["errors"] == [0, 0]
    first, second = results["runs"]
    for run in (first, second):
        assert 0 < run["disk"]["catalog_mb"] < run["disk"]["stores_mb"]
    assert first["ingest"]["articles"] == second["ingest"]["articles"] == 8
    assert second["reingest"]["articles"] == 16 and not second["reingest"]["sampled"]
    assert results["knees"][0]["fastest"]
    png = scale_bench.chart(plan.sizes, results["figures"], figures, tmp_path / "scale.png")
    assert png.read_bytes().startswith(b"\x89PNG")

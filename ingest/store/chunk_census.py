"""How many chunks a filter keeps, without asking the index: the catalog's ready chunks
counted by source and day, so that a search can size its work to the share of the archive
a filter admits (a question's ``as_of`` keeps most of it, a month almost none) before it
reads a single row."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Iterable

from ingest.store.records import SearchFilters, day_number


@dataclass(frozen=True)
class _DaySeries:
    """One source's chunks by day, as sorted days and running totals (``running[i]``: the
    chunks of ``days[:i]``), so a range of days is counted by two bisections."""

    days: list[int] = field(default_factory=list)
    running: list[int] = field(default_factory=lambda: [0])

    @classmethod
    def of(cls, counts: dict[int, int]) -> "_DaySeries":
        days = sorted(counts)
        return cls(days, [0, *accumulate(counts[d] for d in days)])

    def between(self, first: int | None, last: int | None) -> int:
        lo = 0 if first is None else bisect_left(self.days, first)
        hi = len(self.days) if last is None else bisect_right(self.days, last)
        return self.running[hi] - self.running[lo] if hi > lo else 0


@dataclass(frozen=True)
class _SourceCounts:
    dated: _DaySeries
    # Undated documents by the day they were ingested: what ``undated_until`` reads.
    undated: _DaySeries

    def count(self, first: int | None, last: int | None, undated_until: int | None) -> int:
        if first is None and last is None:
            return self.dated.between(None, None) + self.undated.between(None, None)
        kept = self.dated.between(first, last)
        return kept + self.undated.between(None, undated_until) if undated_until else kept


class ChunkCensus:
    """Counts the chunks of ready documents that ``SearchFilters`` admit, by the same rules
    as the catalog's SQL filter (``catalog._filter_clause``)."""

    def __init__(self, rows: Iterable[tuple[str | None, int | None, str | None, int]]) -> None:
        """``rows``: ``(source, published_day, ingested day if undated, chunks)``."""
        dated: dict[str | None, dict[int, int]] = {}
        undated: dict[str | None, dict[int, int]] = {}
        for source, day, ingested, chunks in rows:
            key, series = (day, dated) if day is not None else (day_number(ingested) or 0, undated)
            days = series.setdefault(source, {})
            days[key] = days.get(key, 0) + chunks
        self._sources = {source: _SourceCounts(_DaySeries.of(dated.get(source, {})),
                                               _DaySeries.of(undated.get(source, {})))
                         for source in dated.keys() | undated.keys()}
        self.total = self.count(SearchFilters())

    def count(self, filters: SearchFilters) -> int:
        bounds = day_number(filters.date_from), day_number(filters.date_to), day_number(filters.undated_until)
        sources = filters.sources or self._sources.keys()
        return sum(self._sources[s].count(*bounds) for s in sources if s in self._sources)

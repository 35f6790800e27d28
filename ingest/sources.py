"""Turns the user's list of paths, folders, globs and URLs into a stream of articles, with
every unreadable source reported as a failure instead of stopping the stream."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.files import Expanded, expand_sources, load_file
from ingest.loaders.jsonl import FieldMap
from ingest.loaders.url import load_url

USER_AGENT = "newsqa-ingest/0.1 (+news question answering)"


@dataclass(frozen=True)
class SourceReader:
    max_file_bytes: int
    fetch_timeout_s: float
    fetch_max_bytes: int
    json_fields: str = ""

    def with_fields(self, spec: str) -> "SourceReader":
        return replace(self, json_fields=spec)

    def read(self, sources: Sequence[str]) -> Iterator[Article | LoadFailure]:
        return self.read_expanded(expand_sources(list(sources)))

    def read_expanded(self, expanded: Expanded) -> Iterator[Article | LoadFailure]:
        """Reads what ``expand_sources`` found, for a caller that reports its skipped files."""
        fields = FieldMap.parse(self.json_fields)
        yield from expanded.failures
        for target in expanded.targets:
            try:
                if isinstance(target, Path):
                    yield from load_file(target, max_bytes=self.max_file_bytes, fields=fields)
                else:
                    yield from load_url(target, timeout_s=self.fetch_timeout_s,
                                        max_bytes=self.fetch_max_bytes, user_agent=USER_AGENT,
                                        fields=fields)
            except LoadError as exc:
                yield LoadFailure(str(target), str(exc))
            except Exception as exc:  # noqa: BLE001 - one broken source must not end the batch
                yield LoadFailure(str(target), f"unexpected {type(exc).__name__}: {exc}")

"""The ingest progress bar of the command line: documents against their total, moving by the
share of each document whose chunks are embedded (see ``ingest.pipeline.Progress``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable, TextIO

from ingest.pipeline import Progress

# tqdm's own layout prints a count that grows by fractions as "12.470588"; and its rate in
# documents per second says less than the chunks per second the postfix shows.
BAR_FORMAT = "{l_bar}{bar}| {n:.0f}/{total_fmt} doc [{elapsed}<{remaining}{postfix}]"


@contextmanager
def ingest_bar(total: int | None, *, desc: str = "ingest", quiet: bool = False,
               file: TextIO | None = None) -> Iterator[Callable[[Progress], None]]:
    """A callback for ``Indexer.ingest``; the bar is closed on failure too, so an error line
    never lands on the bar's line."""
    from tqdm import tqdm

    chunks = 0
    with tqdm(total=total, desc=desc, disable=quiet, dynamic_ncols=True, bar_format=BAR_FORMAT,
              file=file or sys.stderr) as bar:

        def on_progress(p: Progress) -> None:
            nonlocal chunks
            chunks += p.chunks
            bar.update(p.documents)
            rate = chunks / max(bar.format_dict["elapsed"], 1e-9)
            bar.set_postfix(chunks=chunks, chunks_per_s=f"{rate:.1f}")

        yield on_progress

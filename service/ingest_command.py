"""``newsqa ingest`` and ``newsqa docs delete``: written into the data dir by this process,
or handed to the service that holds it.

With embedded Chroma files only one process may open them (``service.data_dir_claim``).
When a ``newsqa serve`` holds the data dir, the command reads its sources itself and sends
the articles (or the deletion) to that service's API, so its very next answer sees them;
while another ingest or delete holds it, the command waits for it. With Chroma as a server
every process may write, and the command writes directly.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Protocol

from ingest.article import Article, LoadFailure
from ingest.loaders.files import expand_sources
from ingest.pipeline import IngestReport, Progress
from service.assembly import Components
from service.collection_option import command_collection
from service.data_dir_claim import Claim, DataDirBusy, Holder, Role, take_or_find_service
from service.handoff import ServiceClient, ingest_through
from service.progress_bar import ingest_bar
from service.storage_errors import check_writable


class Writer(Protocol):
    """Writes into the command's collection (``--collection``, else the default one)."""

    def ingest(self, items: Sequence[Article | LoadFailure],
               progress: Callable[[Progress], None]) -> IngestReport: ...

    def delete(self, doc_id: str) -> bool: ...

    def create_collection(self, name: str) -> None: ...

    def delete_collection(self, name: str) -> bool: ...


class LocalWriter:
    """This process writes the stores."""

    def __init__(self, components: Components, *, quiet: bool) -> None:
        self._components = components
        self._quiet = quiet

    def ingest(self, items: Sequence[Article | LoadFailure],
               progress: Callable[[Progress], None]) -> IngestReport:
        if not self._quiet:
            show_encoder_progress()
        return self._components.corpus().indexer.ingest(items, progress=progress)

    def delete(self, doc_id: str) -> bool:
        return self._components.corpus().indexer.delete(doc_id)

    def create_collection(self, name: str) -> None:
        self._components.corpora.create(name)

    def delete_collection(self, name: str) -> bool:
        return self._components.corpora.delete(name)


class ServiceWriter:
    """The service that holds the data dir writes the stores."""

    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    def ingest(self, items: Sequence[Article | LoadFailure],
               progress: Callable[[Progress], None]) -> IngestReport:
        return ingest_through(self._client, items, progress)

    def delete(self, doc_id: str) -> bool:
        return self._client.delete(doc_id)

    def create_collection(self, name: str) -> None:
        self._client.create_collection(name)

    def delete_collection(self, name: str) -> bool:
        return self._client.delete_collection(name)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def show_encoder_progress() -> None:
    """``newsqa serve`` configures logging, the other commands do not: without this, the
    first ingest on a machine waits some 20 s for the encoder export in silence."""
    log = logging.getLogger("newsqa.encoder")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


@contextmanager
def data_dir_writer(components: Components, role: Role, *, quiet: bool = False) -> Iterator[Writer]:
    """The writer for this run, holding the data dir until the run ends when it writes locally."""
    settings = components.settings
    check_writable(settings)  # before the encoder loads or anyone is waited for: a refusal is quick
    command_collection(components)
    if settings.chroma_mode == "server":
        yield LocalWriter(components, quiet=quiet)
        return
    while True:
        found = take_or_find_service(settings.data_dir, say)
        if isinstance(found, Claim):
            found.publish(Holder(os.getpid(), role))
            try:
                yield LocalWriter(components, quiet=quiet)
            finally:
                found.release()
            return
        if found.url is None:
            raise DataDirBusy(
                f"{settings.data_dir} is held by {found.describe()}, which was not started by "
                "`newsqa serve`, so its address is unknown: send the documents to its API "
                "(POST /v1/documents or /v1/documents/upload, DELETE /v1/documents/ID), or stop "
                "it and run this command again")
        client = ServiceClient(found, settings.data_dir, settings.default_collection)
        try:
            if client.wait_ready(settings.service_wait_s, say):
                say(f"{found.describe()} holds {settings.data_dir}; it does the writing")
                yield ServiceWriter(client)
                return
        finally:
            client.close()


def run_ingest(components: Components, args: argparse.Namespace) -> int:
    """Reads every source before the first document is embedded, so the bar knows its total."""
    reader = components.sources
    if args.fields:
        reader = reader.with_fields(args.fields)
    expanded = expand_sources(list(args.sources))
    items = list(reader.read_expanded(expanded))
    total = sum(isinstance(item, Article) for item in items)
    with data_dir_writer(components, "ingest", quiet=args.quiet) as writer:
        with ingest_bar(total, quiet=args.quiet) as on_progress:
            report = writer.ingest(items, on_progress)
    print_report(report, expanded.skipped)
    return 1 if report.failed else 0


def run_delete(components: Components, args: argparse.Namespace) -> int:
    with data_dir_writer(components, "delete") as writer:
        deleted = writer.delete(args.id)
    if not deleted:
        print(f"error: no document with id '{args.id}' (see `newsqa docs list`)", file=sys.stderr)
        return 2
    print(f"deleted {args.id}")
    return 0


def print_report(report: IngestReport, skipped: Sequence[Path] = ()) -> None:
    """One summary line, then one line per failure and per skipped file on stderr."""
    line = (f"added {len(report.added)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}, failed {len(report.failed)}")
    if skipped:
        kinds = Counter(path.suffix.lower() or "(no suffix)" for path in skipped)
        line += (f", skipped {len(skipped)} of unsupported types ("
                 + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()) + ")")
    print(f"{line}; {report.chunks} chunks in {report.seconds:.1f} s")
    for failure in report.failed:
        print(f"  failed: {failure.origin}: {failure.reason}", file=sys.stderr)
    for path in skipped:
        print(f"  skipped: {path}: unsupported file type", file=sys.stderr)

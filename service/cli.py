"""``newsqa``: ingest, inspect and serve the news index from the command line."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import Sequence

from eval.command import add_commands as add_eval_commands
from ingest.article import site_of
from ingest.store.catalog import MAX_OFFSET
from ingest.store.collection_registry import CollectionExists, DefaultCollectionError, UnknownCollection
from ingest.store.records import DocumentRecord
from ingest.store.vectors import EncoderMismatchError
from service.assembly import Components
from service.collection_commands import add_commands as add_collection_commands
from service.collection_option import collection_option
from service.data_dir_claim import DataDirBusy
from service.feeds.commands import add_commands as add_feed_commands
from service.handoff import HandoffError
from service.ingest_command import print_report, run_delete, run_ingest
from service.llm.model_files import ModelFileError
from service.settings import Settings
from service.storage_errors import StorageError, explained_write_failures


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _shown_source(doc: DocumentRecord) -> str | None:
    """An article without a source is named by its site, so no row reads as anonymous."""
    return doc.source or site_of(doc.url)


def _page_summary(shown: int, total: int, offset: int) -> str:
    """Says what a page leaves out and how to see the rest: a listing never stops silently."""
    summary = f"showing {shown} of {total}"
    if shown and offset:
        summary += f" (from #{offset + 1})"
    if offset + shown < total:
        summary += f"; next page: --offset {offset + shown}"
    return summary


def cmd_docs_list(components: Components, args: argparse.Namespace) -> int:
    catalog = components.corpora.catalog(components.settings.default_collection)
    docs = catalog.list(limit=args.limit, offset=args.offset, source=args.source)
    total = catalog.count(source=args.source)
    if args.json:
        _print_json({"documents": [d.metadata() for d in docs], "total": total,
                     "limit": args.limit, "offset": args.offset})
        return 0
    for d in docs:
        print(f"{d.published or '----------'}  {_shown_source(d) or '-':<18.18}  {d.title[:70]:<70}  {d.doc_id}")
    print(_page_summary(len(docs), total, args.offset))
    return 0


def cmd_docs_show(components: Components, args: argparse.Namespace) -> int:
    doc = components.corpora.catalog(components.settings.default_collection).get(args.id)
    if doc is None:
        print(f"error: no document with id '{args.id}' (see `newsqa docs list`)", file=sys.stderr)
        return 2
    if args.json:
        _print_json({**doc.metadata(), "text": doc.text})
        return 0
    shown = {**doc.metadata(), "source": _shown_source(doc)}
    for key, value in shown.items():
        if value is not None:  # a missing field is left out, never printed as "None"
            print(f"{key}: {value}")
    print()
    print(doc.text)
    return 0


def cmd_stats(components: Components, args: argparse.Namespace) -> int:
    corpus = components.corpus()
    stats = corpus.catalog.stats()
    stats["vectors"] = corpus.vectors.count()
    stats["collection"] = corpus.name
    stats["data_dir"] = str(components.settings.data_dir)
    _print_json(stats)
    return 0


WORKER_START_TIMEOUT_S = 180


def cmd_serve(components: Components, args: argparse.Namespace) -> int:
    import uvicorn

    from service.allocator import tune_allocator
    from service.app import create_app
    from service.observability.logs import configure_logging
    from service.security.api_keys import KeyConfigError
    from service.security.binding import open_binding_error
    from service.service_claim import hold_for_serving
    from service.startup import check_before_serving

    settings = components.settings
    host = args.host or settings.host
    try:
        refusal = open_binding_error(host, components.key_store.configured)
    except KeyConfigError as exc:
        refusal = f"API keys: {exc}"
    if args.workers > 1 and settings.chroma_mode == "embedded":
        refusal = ("several workers need Chroma in server mode (NEWSQA_CHROMA_MODE=server): "
                   "embedded Chroma files belong to one process")
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    hold_for_serving(components, host, args.port or settings.port)
    tune_allocator(settings.malloc_arenas, settings.malloc_mmap_threshold_kb)
    check_before_serving(components)
    configure_logging(settings.log_level, settings.log_format)
    if args.sample_if_empty and components.corpus().catalog.stats()["documents"] == 0:
        report = components.corpus().indexer.ingest(
            components.sources.read([str(settings.sample_corpus_dir)]))
        print_report(report)
    # Each worker process builds its own app from the same environment, and loading the
    # models takes far longer than uvicorn's default health-check wait; one worker serves
    # the app built here. Our handler and access line (route templates, request ids)
    # replace uvicorn's.
    app: object = "service.app:create_app_from_settings" if args.workers > 1 else create_app(components, warm=True)
    uvicorn.run(app, factory=args.workers > 1, workers=args.workers, host=host,
                port=args.port or settings.port, log_config=None,
                log_level=settings.log_level.lower(), access_log=False,
                timeout_worker_healthcheck=WORKER_START_TIMEOUT_S)
    return 0


def _count(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not least <= value <= MAX_OFFSET:
        raise argparse.ArgumentTypeError(f"must be from {least} to {MAX_OFFSET}, not {value}")
    return value


def _positive(text: str) -> int:
    return _count(text, 1)


def _not_negative(text: str) -> int:
    return _count(text, 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsqa", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    one = [collection_option()]

    ingest = sub.add_parser("ingest", help="index files, folders, globs, URLs and feeds", parents=one)
    ingest.add_argument("sources", nargs="+", help="paths, folders, glob patterns or http(s) URLs")
    ingest.add_argument("--fields", default="", help="JSON field names, e.g. text=body,published=date")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(func=run_ingest)

    docs = sub.add_parser("docs", help="list, show or delete indexed documents")
    docs_sub = docs.add_subparsers(dest="docs_command", required=True)
    listing = docs_sub.add_parser("list", parents=one)
    listing.add_argument("--limit", type=_positive, default=50, help="rows per page (default 50)")
    listing.add_argument("--offset", type=_not_negative, default=0, help="rows to skip (default 0)")
    listing.add_argument("--source")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_docs_list)
    show = docs_sub.add_parser("show", parents=one)
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_docs_show)
    delete = docs_sub.add_parser("delete", parents=one)
    delete.add_argument("id")
    delete.set_defaults(func=run_delete)

    stats = sub.add_parser("stats", help="counts of documents, chunks, vectors and sources", parents=one)
    stats.set_defaults(func=cmd_stats)

    serve = sub.add_parser("serve", help="run the HTTP API; --collection: what requests without one read",
                           parents=one)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1,
                       help="API processes sharing the port (needs Chroma in server mode)")
    serve.add_argument("--sample-if-empty", action="store_true",
                       help="ingest the shipped sample corpus first when the index is empty")
    serve.set_defaults(func=cmd_serve)

    add_feed_commands(sub, one)
    add_eval_commands(sub, one)
    add_collection_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a failed write or a damaged model file ends it with one ``error:``
    line on stderr and exit code 2, since a traceback would bury the path and the remedy."""
    args = build_parser().parse_args(argv)
    settings = Settings()
    if getattr(args, "collection", None):
        settings = settings.model_copy(update={"default_collection": args.collection})
    try:
        with explained_write_failures(settings):
            return int(args.func(Components(settings), args))
    except UnknownCollection as exc:
        print(f"error: {exc} (see `newsqa collections list`; make it with "
              f"`newsqa collections create {exc.name}`)", file=sys.stderr)
        return 2
    except (StorageError, ModelFileError, EncoderMismatchError, DataDirBusy, HandoffError,
            CollectionExists, DefaultCollectionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def run() -> None:
    """The ``newsqa`` program: a closed pipe (``newsqa docs list | head``) ends it quietly.
    Only the program sets that, not ``main``: a process that calls ``main`` in-process, such
    as the test run, would otherwise die of the next write to a closed socket."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())


if __name__ == "__main__":
    run()

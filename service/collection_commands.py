"""``newsqa collections create|list|delete``.

Creating and deleting write the data dir, so next to a running ``newsqa serve`` they are
handed to its API like ``ingest`` is; listing reads the catalogs only.
"""

from __future__ import annotations

import argparse
import json
import sys

from ingest.store.collection_registry import DEFAULT_COLLECTION
from service.assembly import Components
from service.collection_option import collection_name
from service.ingest_command import data_dir_writer


def cmd_create(components: Components, args: argparse.Namespace) -> int:
    with data_dir_writer(components, "collections") as writer:
        writer.create_collection(args.name)
    print(f"created collection '{args.name}'; ingest into it with --collection {args.name}")
    return 0


def cmd_delete(components: Components, args: argparse.Namespace) -> int:
    if args.name == DEFAULT_COLLECTION:
        print("error: the default collection cannot be deleted; delete its documents instead", file=sys.stderr)
        return 2
    with data_dir_writer(components, "collections") as writer:
        deleted = writer.delete_collection(args.name)
    if not deleted:
        print(f"error: no collection '{args.name}' (see `newsqa collections list`)", file=sys.stderr)
        return 2
    print(f"deleted collection '{args.name}' with its documents, vectors and feeds")
    return 0


def cmd_list(components: Components, args: argparse.Namespace) -> int:
    """Counts come from each collection's catalog, so no vector store is opened."""
    rows = [{"name": row.name, "created_at": row.created_at,
             "documents": components.corpora.catalog(row.name).count()}
            for row in components.corpora.rows()]
    if args.json:
        print(json.dumps({"collections": rows}, indent=2))
        return 0
    print(f"{'name':<40}  {'documents':>9}  created")
    for row in rows:
        print(f"{row['name']:<40}  {row['documents']:>9}  {row['created_at'] or '-'}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    collections = sub.add_parser("collections", help="create, list or delete collections (corpora of their own)")
    collections_sub = collections.add_subparsers(dest="collections_command", required=True)
    create = collections_sub.add_parser("create", help="make an empty collection")
    create.add_argument("name", type=collection_name)
    create.set_defaults(func=cmd_create)
    listing = collections_sub.add_parser("list", help="collections with their document counts")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_list)
    delete = collections_sub.add_parser("delete", help="delete a collection and everything in it")
    delete.add_argument("name", type=collection_name)
    delete.set_defaults(func=cmd_delete)

"""``--collection NAME``, shared by every command that reads or writes one collection."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ingest.store.collection_registry import CollectionNameError, UnknownCollection, check_name

if TYPE_CHECKING:
    from service.assembly import Components


def collection_name(text: str) -> str:
    try:
        return check_name(text)
    except CollectionNameError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def collection_option() -> argparse.ArgumentParser:
    """A parent parser; the option sets ``NEWSQA_DEFAULT_COLLECTION`` for this command."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--collection", type=collection_name, metavar="NAME",
                        help="the collection to use (default: NEWSQA_DEFAULT_COLLECTION, 'default')")
    return parent


def command_collection(components: Components) -> str:
    """The command's collection, which must exist before anything is read or waited for.
    Only the registry is read, so this needs no lock even while a service holds the data dir."""
    name: str = components.settings.default_collection
    if components.corpora.find(name) is None:
        raise UnknownCollection(name)
    return name

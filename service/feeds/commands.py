"""``newsqa feeds add|list|remove``: what the serving processes watch.

The commands write the feeds table of the catalog the service reads, so a running service
picks a new feed up at its next tick without a restart.
"""

from __future__ import annotations

import argparse
import json
import sys

from ingest.feeds.spec import FeedSpecError, format_interval
from ingest.store.feeds import Feed
from service.assembly import Components
from service.collection_option import command_collection


def cmd_feeds_add(components: Components, args: argparse.Namespace) -> int:
    try:
        feed, created = components.feed_registry.add(args.url, args.every, args.source, command_collection(components))
    except FeedSpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    verb = "watching" if created else "updated"
    print(f"{verb} {feed.feed_id}: {feed.url} every {format_interval(feed.every_s)}"
          + (f" as '{feed.source}'" if feed.source else ""))
    return 0


def cmd_feeds_list(components: Components, args: argparse.Namespace) -> int:
    feeds = components.feed_registry.list([command_collection(components)])
    if args.json:
        print(json.dumps({"feeds": [f.as_dict() for f in feeds]}, indent=2, ensure_ascii=False))
        return 0
    print(f"{'id':<12}  {'every':>5}  {'last fetch':<25}  {'status':<12}  {'last new':<25}  {'added':>5}  url")
    for feed in feeds:
        print(_row(feed))
        if feed.last_error:
            print(f"{'':<12}  error: {feed.last_error}")
    print(f"{len(feeds)} feed{'' if len(feeds) == 1 else 's'}")
    return 0


def _row(feed: Feed) -> str:
    status = feed.last_status or "not polled"
    if feed.failures:
        status = f"{status} x{feed.failures}"
    return (f"{feed.feed_id:<12}  {format_interval(feed.every_s):>5}  {feed.last_fetch_at or '-':<25}  "
            f"{status:<12}  {feed.last_new_at or '-':<25}  {feed.articles_added:>5}  {feed.url}")


def cmd_feeds_remove(components: Components, args: argparse.Namespace) -> int:
    feed = components.feed_registry.get(args.id)
    if feed is None or feed.collection != command_collection(components) \
            or not components.feed_registry.remove(args.id):
        print(f"error: no feed with id '{args.id}' (see `newsqa feeds list`)", file=sys.stderr)
        return 2
    print(f"removed {args.id}; its articles stay in the index")
    return 0


def add_commands(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                 parents: list[argparse.ArgumentParser]) -> None:
    feeds = sub.add_parser("feeds", help="watch RSS/Atom feeds and news sitemaps while the service runs")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True)
    add = feeds_sub.add_parser("add", help="watch a feed (polled by `newsqa serve`)", parents=parents)
    add.add_argument("url", help="http(s) address of an RSS/Atom feed or a news sitemap")
    add.add_argument("--every", help="polling interval, e.g. 15m, 2h (default NEWSQA_FEED_INTERVAL_S)")
    add.add_argument("--source", help="source name for its articles (default: the feed's title)")
    add.set_defaults(func=cmd_feeds_add)
    listing = feeds_sub.add_parser("list", help="feeds with their last fetch, error and article counts",
                                   parents=parents)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_feeds_list)
    remove = feeds_sub.add_parser("remove", help="stop watching a feed (its articles stay)", parents=parents)
    remove.add_argument("id")
    remove.set_defaults(func=cmd_feeds_remove)

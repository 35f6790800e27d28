"""Watched feeds: add, list, read and remove (admin scope). Polling happens in the
background of the serving process; these routes only change what is watched."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from ingest.feeds.spec import FeedSpecError
from ingest.store.feeds import Feed
from service.feeds.registry import FeedRegistry
from service.routers.responses import GUARDED, NO_COLLECTION, NO_FEED
from service.schemas import CollectionParam, FeedBody
from service.security.collection_access import may_use, open_collection, visible_collections
from service.security.guard import require_scope

router = APIRouter(prefix="/v1/feeds", tags=["feeds"], responses=GUARDED)
ADMIN = [require_scope("admin")]


def _registry(request: Request) -> FeedRegistry:
    return request.app.state.components.feed_registry


def _feed(request: Request, feed_id: str) -> Feed:
    """A feed of a collection this key may use; any other is answered as missing."""
    feed = _registry(request).get(feed_id)
    if feed is None or not may_use(request, feed.collection):
        raise HTTPException(status_code=404, detail=f"no feed with id '{feed_id}'")
    return feed


@router.post("", dependencies=ADMIN, status_code=201,
             responses={200: {"description": "The address was watched already; its settings were replaced."},
                        **NO_COLLECTION})
def add_feed(body: FeedBody, request: Request, response: Response) -> dict[str, object]:
    """201 for a new feed; 200 when the address was watched already for that collection
    (its interval and source are replaced, its history kept)."""
    collection = open_collection(request, body.collection).name
    try:
        feed, created = _registry(request).add(body.url, body.every, body.source, collection)
    except FeedSpecError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    if not created:
        response.status_code = 200
    return feed.as_dict()


@router.get("", dependencies=ADMIN, responses=NO_COLLECTION)
def list_feeds(request: Request, collection: CollectionParam = None) -> dict[str, object]:
    """The feeds of one collection, or of every collection this key may use."""
    names = [open_collection(request, collection).name] if collection else visible_collections(request)
    return {"feeds": [feed.as_dict() for feed in _registry(request).list(names)]}


@router.get("/{feed_id}", dependencies=ADMIN, responses=NO_FEED)
def get_feed(feed_id: str, request: Request) -> dict[str, object]:
    return _feed(request, feed_id).as_dict()


@router.delete("/{feed_id}", dependencies=ADMIN, responses=NO_FEED)
def remove_feed(feed_id: str, request: Request) -> dict[str, object]:
    if not _registry(request).remove(_feed(request, feed_id).feed_id):
        raise HTTPException(status_code=404, detail=f"no feed with id '{feed_id}'")
    return {"removed": feed_id}

"""Watched feeds: add, list, read and remove (admin scope). Polling happens in the
background of the serving process; these routes only change what is watched."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from ingest.feeds.spec import FeedSpecError
from service.feeds.registry import FeedRegistry
from service.routers.responses import GUARDED, NO_FEED
from service.schemas import FeedBody
from service.security.guard import require_scope

router = APIRouter(prefix="/v1/feeds", tags=["feeds"], responses=GUARDED)
ADMIN = [require_scope("admin")]


def _registry(request: Request) -> FeedRegistry:
    return request.app.state.components.feed_registry


@router.post("", dependencies=ADMIN, status_code=201,
             responses={200: {"description": "The address was watched already; its settings were replaced."}})
def add_feed(body: FeedBody, request: Request, response: Response) -> dict[str, object]:
    """201 for a new feed; 200 when the address was watched already (its interval and
    source are replaced, its history kept)."""
    try:
        feed, created = _registry(request).add(body.url, body.every, body.source)
    except FeedSpecError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    if not created:
        response.status_code = 200
    return feed.as_dict()


@router.get("", dependencies=ADMIN)
def list_feeds(request: Request) -> dict[str, object]:
    return {"feeds": [feed.as_dict() for feed in _registry(request).list()]}


@router.get("/{feed_id}", dependencies=ADMIN, responses=NO_FEED)
def get_feed(feed_id: str, request: Request) -> dict[str, object]:
    feed = _registry(request).get(feed_id)
    if feed is None:
        raise HTTPException(status_code=404, detail=f"no feed with id '{feed_id}'")
    return feed.as_dict()


@router.delete("/{feed_id}", dependencies=ADMIN, responses=NO_FEED)
def remove_feed(feed_id: str, request: Request) -> dict[str, object]:
    if not _registry(request).remove(feed_id):
        raise HTTPException(status_code=404, detail=f"no feed with id '{feed_id}'")
    return {"removed": feed_id}

"""Error responses as the OpenAPI schema documents them, so clients (and the schema fuzzer)
know every status a route can answer with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """A sentence saying what went wrong and what is needed; request validation errors keep
    FastAPI's list of problems."""

    detail: str | list[dict[str, Any]]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


GUARDED: dict[int | str, dict[str, Any]] = {
    400: _error("The body cannot be read (for instance, JSON that is not UTF-8)."),
    401: _error("No API key, or an unknown one (with `WWW-Authenticate: Bearer`)."),
    403: _error("The key lacks the scope this route needs, or is not allowed from this origin."),
    413: _error("The request body is over `NEWSQA_MAX_BODY_MB`."),
    422: _error("The request is malformed or over a limit; `detail` says where."),
    429: _error("Rate limit exceeded; `Retry-After` says when to try again."),
    503: _error("A store or the language model is down or busy; `Retry-After` says when to try again."),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: _error("No document with this id, or no collection of that name that this key may use.")}
NO_COLLECTION: dict[int | str, dict[str, Any]] = {
    404: _error("No collection of that name that this key may use.")}
COLLECTION_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: _error("The collection exists already, or is the default one, which cannot be deleted.")}
NO_FEED: dict[int | str, dict[str, Any]] = {
    404: _error("No feed with this id (or of that collection) that this key may use; `GET /v1/feeds` lists them.")}
UNKNOWN_MODEL: dict[int | str, dict[str, Any]] = {404: _error("No model with this id; `GET /v1/models` lists them.")}
UNSUPPORTED: dict[int | str, dict[str, Any]] = {415: _error("The file type is not one that can be ingested.")}
OUT_OF_SPACE: dict[int | str, dict[str, Any]] = {
    507: _error("The data directory is full; nothing half-written is kept, and sending the request "
                "again once space is freed completes it.")}
STREAMS: dict[int | str, dict[str, Any]] = {
    200: {"description": "JSON, or Server-Sent Events when `stream` is true.",
          "content": {"text/event-stream": {}}}}

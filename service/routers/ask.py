"""Questions in, cited answers out; as JSON or as Server-Sent Events.

Event order on a stream: ``passages``, then ``token`` events with the model's raw text,
then ``citations`` (the checked answer, which replaces the streamed text: markers added,
unsupported claims flagged, or a refusal), then ``done``. A failure ends the stream with
``error``.
"""

from __future__ import annotations

import json
from typing import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from service.answering.ask_service import AskRequest, AskService, Event
from ingest.store.collection_registry import UnknownCollection
from service.errors import deleted_meanwhile, dependency_failure
from service.routers.responses import GUARDED, NO_COLLECTION, STREAMS
from service.routers.search import check_length
from service.schemas import AskBody
from service.security.collection_access import open_collection
from service.security.guard import require_scope

router = APIRouter(prefix="/v1", tags=["ask"], dependencies=[require_scope("query")],
                   responses=GUARDED)


def to_request(body: AskBody) -> AskRequest:
    return AskRequest(question=body.question,
                      history=[t.model_dump() for t in body.history],
                      filters=body.filters.to_search(),
                      as_of=body.as_of.isoformat() if body.as_of else None,
                      top_k=body.top_k, prefer_recent=body.prefer_recent, rerank=body.rerank)


def sse(event: Event) -> str:
    return f"event: {event.type}\ndata: {json.dumps(event.data, ensure_ascii=False)}\n\n"


def guarded(events: Iterator[Event], request: Request) -> Iterator[Event]:
    """Once streaming has begun the status code is sent: failures become an ``error`` event,
    with the status the same failure would have had before the stream began."""
    try:
        yield from events
    except Exception as exc:  # noqa: BLE001 - reported to the client as an event
        gone = deleted_meanwhile(request)
        if gone is not None:
            yield Event("error", {"status": 404, "detail": str(UnknownCollection(gone))})
            return
        reason = dependency_failure(exc)
        yield Event("error", {"status": 503 if reason else 500, "detail": reason or "internal error"})


@router.post("/ask", response_model=None, responses={**STREAMS, **NO_COLLECTION})
def ask(body: AskBody, request: Request) -> dict[str, object] | StreamingResponse:
    components = request.app.state.components
    check_length(body.question, components.settings.max_question_chars, "question")
    service: AskService = open_collection(request, body.collection).ask_service
    ask_request = to_request(body)
    if body.stream:
        return StreamingResponse((sse(e) for e in guarded(service.stream(ask_request), request)),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    result = service.ask(ask_request)
    return {"answer": result.answer, "citations": result.citations, "refused": result.refused,
            "refusal": result.refusal, "standalone_question": result.standalone_question,
            "closest_sources": result.closest_sources,
            "unsupported_sentences": result.unsupported_sentences,
            "unanswered_parts": result.unanswered_parts,
            "timings": result.timings_ms}

"""Ranked passages without an LLM."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from service.retrieval.retriever import RetrievalOptions
from service.routers.responses import GUARDED, NO_COLLECTION
from service.schemas import SearchBody
from service.security.collection_access import open_collection
from service.security.guard import require_scope

router = APIRouter(prefix="/v1", tags=["search"], dependencies=[require_scope("query")],
                   responses=GUARDED)


def check_length(text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        raise HTTPException(status_code=422, detail=f"{what} is {len(text)} characters; the limit is {limit}")


@router.post("/search", responses=NO_COLLECTION)
def search(body: SearchBody, request: Request) -> dict[str, object]:
    components = request.app.state.components
    check_length(body.query, components.settings.max_question_chars, "query")
    result = open_collection(request, body.collection).retriever.search(body.query, RetrievalOptions(
        top_k=body.top_k, filters=body.filters.to_search(),
        as_of=body.as_of.isoformat() if body.as_of else None,
        prefer_recent=body.prefer_recent, rerank=body.rerank))
    return {"query": body.query, "passages": [p.as_dict() for p in result.passages],
            "timings_ms": result.timings_ms}

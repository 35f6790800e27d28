"""Document listing and retrieval by id."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get("")
def list_documents(request: Request, limit: int = Query(50, ge=1, le=500),
                   offset: int = Query(0, ge=0), source: str | None = None) -> dict[str, object]:
    catalog = request.app.state.components.catalog
    docs = catalog.list(limit=limit, offset=offset, source=source)
    return {"documents": [d.metadata() for d in docs], "limit": limit, "offset": offset}


@router.get("/{doc_id:path}")
def get_document(doc_id: str, request: Request) -> dict[str, object]:
    doc = request.app.state.components.catalog.get(doc_id)
    if doc is None:
        raise HTTPException(status_code=404, detail=f"no document with id '{doc_id}'")
    return {**doc.metadata(), "text": doc.text}

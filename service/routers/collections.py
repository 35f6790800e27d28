"""Collections: create, list, read and delete (admin scope). A key bound to collections
sees and changes only those; any other name is answered as missing."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Path, Request

from ingest.store.collection_registry import NAME_PATTERN, UnknownCollection
from service.assembly import Corpus
from service.routers.responses import COLLECTION_CONFLICT, GUARDED, NO_COLLECTION
from service.schemas import CollectionBody
from service.security.collection_access import may_use, open_collection, visible_collections
from service.security.guard import require_scope

router = APIRouter(prefix="/v1/collections", tags=["collections"], responses=GUARDED,
                   dependencies=[require_scope("admin")])
NAME = Path(pattern=f"^{NAME_PATTERN}$", max_length=40)


def _summary(corpus: Corpus, default: str) -> dict[str, object]:
    return {"name": corpus.name, "default": corpus.name == default,
            "documents": corpus.catalog.count(), "vectors": corpus.vectors.count()}


@router.get("")
def list_collections(request: Request) -> dict[str, object]:
    default = request.app.state.components.settings.default_collection
    return {"collections": [_summary(open_collection(request, name), default)
                            for name in visible_collections(request)]}


@router.post("", status_code=201, responses={**COLLECTION_CONFLICT,
                                             403: {"description": "This key may not use that name."}})
def create_collection(body: CollectionBody, request: Request) -> dict[str, object]:
    """A key bound to collections may create only those it names."""
    if not may_use(request, body.name):
        raise HTTPException(status_code=403, detail=f"this key may not use a collection named '{body.name}'")
    row = request.app.state.components.corpora.create(body.name)
    return {"name": row.name, "created_at": row.created_at}


@router.get("/{name}", responses=NO_COLLECTION)
def get_collection(request: Request, name: str = NAME) -> dict[str, object]:
    return _summary(open_collection(request, name), request.app.state.components.settings.default_collection)


@router.delete("/{name}", responses={**NO_COLLECTION, **COLLECTION_CONFLICT})
def delete_collection(request: Request, name: str = NAME) -> dict[str, object]:
    """Its documents, vectors, lexical entries and feeds go; no other collection changes."""
    if not may_use(request, name) or not request.app.state.components.corpora.delete(name):
        raise UnknownCollection(name)
    return {"deleted": name}

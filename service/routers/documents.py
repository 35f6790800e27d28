"""Documents: add (JSON or file upload, through the same ingestion code as the CLI), list,
read and delete."""

from __future__ import annotations

from pathlib import PurePath
from typing import Sequence

from fastapi import APIRouter, HTTPException, Query, Request, UploadFile

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.files import format_size, kind_for_name, load_bytes
from ingest.loaders.jsonl import FieldMap
from ingest.store.catalog import MAX_OFFSET
from service.assembly import Corpus
from service.routers.responses import GUARDED, NOT_FOUND, OUT_OF_SPACE, UNSUPPORTED
from service.schemas import CollectionParam, DocumentsBody
from service.security.collection_access import open_collection
from service.security.guard import require_scope
from service.storage_errors import explained_write_failures

router = APIRouter(prefix="/v1/documents", tags=["documents"], responses=GUARDED)
ADMIN = [require_scope("admin")]
QUERY = [require_scope("query")]


@router.post("", dependencies=ADMIN, responses={**OUT_OF_SPACE, **NOT_FOUND})
def add_documents(body: DocumentsBody, request: Request) -> dict[str, object]:
    articles = [Article(title=a.title, text=a.text, url=a.url, id=a.id, source=a.source,
                        author=a.author, published=a.published.isoformat() if a.published else None,
                        origin=a.origin or f"request#{i + 1}") for i, a in enumerate(body.articles)]
    return _ingest(request, open_collection(request, body.collection), articles)


def _ingest(request: Request, corpus: Corpus, items: Sequence[Article | LoadFailure]) -> dict[str, object]:
    components = request.app.state.components
    with explained_write_failures(components.settings):
        report = corpus.indexer.ingest(items)
    components.metrics.observe_ingest(report, corpus.name)
    return report.as_dict()


@router.post("/upload", dependencies=ADMIN, responses={**UNSUPPORTED, **OUT_OF_SPACE, **NOT_FOUND})
async def upload_document(file: UploadFile, request: Request,
                          collection: CollectionParam = None) -> dict[str, object]:
    components = request.app.state.components
    corpus = open_collection(request, collection)
    name = PurePath(file.filename or "upload").name
    try:
        kind = kind_for_name(name)
    except LoadError as exc:
        raise HTTPException(status_code=415, detail=f"{name}: {exc}") from exc
    limit = int(components.settings.max_file_mb * 1024 * 1024)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(status_code=413, detail=f"{name}: file is over the {format_size(limit)} limit")
    try:
        items = list(load_bytes(kind, data, name,
                                fields=FieldMap.parse(components.settings.json_fields)))
    except LoadError as exc:
        raise HTTPException(status_code=422, detail=f"{name}: {exc}") from exc
    return _ingest(request, corpus, items)


@router.get("", dependencies=QUERY, responses=NOT_FOUND)
def list_documents(request: Request, limit: int = Query(50, ge=1, le=500),
                   offset: int = Query(0, ge=0, le=MAX_OFFSET), source: str | None = None,
                   collection: CollectionParam = None) -> dict[str, object]:
    """One page, newest first; ``total`` counts every match, so a client knows whether
    another page follows."""
    catalog = open_collection(request, collection).catalog
    docs = catalog.list(limit=limit, offset=offset, source=source)
    return {"documents": [d.metadata() for d in docs], "total": catalog.count(source=source),
            "limit": limit, "offset": offset}


@router.get("/{doc_id:path}", dependencies=QUERY, responses=NOT_FOUND)
def get_document(doc_id: str, request: Request, collection: CollectionParam = None) -> dict[str, object]:
    doc = open_collection(request, collection).catalog.get(doc_id)
    if doc is None:
        raise HTTPException(status_code=404, detail=f"no document with id '{doc_id}'")
    return {**doc.metadata(), "text": doc.text}


@router.delete("/{doc_id:path}", dependencies=ADMIN, responses={**NOT_FOUND, **OUT_OF_SPACE})
def delete_document(doc_id: str, request: Request, collection: CollectionParam = None) -> dict[str, object]:
    corpus = open_collection(request, collection)
    with explained_write_failures(request.app.state.components.settings):
        deleted = corpus.indexer.delete(doc_id)
    if not deleted:
        raise HTTPException(status_code=404, detail=f"no document with id '{doc_id}'")
    return {"deleted": doc_id}

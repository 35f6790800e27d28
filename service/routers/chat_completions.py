"""OpenAI-compatible chat completions, so existing OpenAI clients and chat front ends can
use the service. The last user message is the question, earlier turns are the history.

The model name chooses the collection: ``newsqa`` is the service's default collection,
``newsqa:NAME`` collection NAME; ``/v1/models`` lists those the key may use.

Streaming sends the checked answer (markers placed, refusals decided) in pieces once the
check is done: an OpenAI client cannot take back text it has already shown. ``usage`` holds
the model's own token counts for the request (see ``service.llm.usage``).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from ingest.article import site_of
from service.answering.ask_service import AskRequest, AskResult
from service.assembly import Components, Corpus
from service.llm.usage import Usage, tally
from service.routers.responses import GUARDED, STREAMS, UNKNOWN_MODEL
from service.routers.search import check_length
from service.schemas import ChatCompletionBody
from service.security.collection_access import open_collection, visible_collections
from service.security.guard import require_scope
from service.settings import Settings

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[require_scope("query")],
                   responses=GUARDED)
MODEL_NAME = "newsqa"
COLLECTION_MODEL = f"{MODEL_NAME}:"
STARTED = int(time.time())


def collection_of(model: str) -> str | None:
    """``newsqa:NAME`` names collection NAME; any other model name (OpenAI clients send
    their own) means the default collection."""
    return model[len(COLLECTION_MODEL):] if model.startswith(COLLECTION_MODEL) else None


def model_id(collection: str, default: str) -> str:
    return MODEL_NAME if collection == default else f"{COLLECTION_MODEL}{collection}"


def with_sources(result: AskResult) -> str:
    """The answer followed by its numbered sources, for clients that show text only."""
    lines = [result.answer]
    shown = result.citations or (result.closest_sources if result.refused else [])
    if shown:
        lines.append("")
        lines.append("Sources:" if result.citations else "Closest articles:")
        for i, c in enumerate(shown, start=1):
            label = f"[{c['n']}]" if "n" in c else f"{i}."
            source = c.get("source") or site_of(str(c["url"]) if c.get("url") else None)
            meta = ", ".join(str(v) for v in (source, c.get("published")) if v)
            lines.append(f"{label} {c['title']}" + (f" ({meta})" if meta else "")
                         + (f" {c['url']}" if c.get("url") else ""))
    return "\n".join(lines)


def _request(body: ChatCompletionBody, limit: int) -> AskRequest:
    turns = [m for m in body.messages if m.role in ("user", "assistant") and m.text.strip()]
    if not turns or turns[-1].role != "user":
        raise HTTPException(status_code=422, detail="the last message must be a non-empty user message")
    question = turns[-1].text.strip()
    check_length(question, limit, "question")
    return AskRequest(question=question,
                      history=[{"role": m.role, "content": m.text} for m in turns[:-1]])


def _answer(components: Components, corpus: Corpus, request: AskRequest) -> tuple[AskResult, Usage]:
    """The answer and what it cost: the counts of every model call made for it, or the
    extractive backend's own count of what it read and wrote."""
    with tally() as usage:
        result = corpus.ask_service.ask(request)
    if components.settings.llm_backend == "extractive":
        read = [request.question, *(turn["content"] for turn in request.history)]
        usage = Usage.counted(components.embedder.count_tokens, read, result.generated)
    return result, usage


def _chunk(completion_id: str, created: int, model: str, delta: dict[str, str], finish: str | None,
           extra: dict[str, object] | None = None) -> str:
    payload: dict[str, object] = {
        "id": completion_id, "object": "chat.completion.chunk", "created": created,
        "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    payload.update(extra or {})
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _stream(result: AskResult, usage: Usage | None, completion_id: str, created: int,
            model: str) -> Iterator[str]:
    """``usage`` comes last, in a chunk without choices, when the client asked for it
    (``stream_options.include_usage``), as OpenAI sends it."""
    yield _chunk(completion_id, created, model, {"role": "assistant", "content": ""}, None)
    words = with_sources(result).split(" ")
    for i in range(0, len(words), 4):
        piece = " ".join(words[i:i + 4]) + (" " if i + 4 < len(words) else "")
        yield _chunk(completion_id, created, model, {"content": piece}, None)
    yield _chunk(completion_id, created, model, {}, "stop",
                 {"citations": result.citations, "refused": result.refused, "refusal": result.refusal})
    if usage is not None:
        payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                   "model": model, "choices": [], "usage": usage.as_dict()}
        yield f"data: {json.dumps(payload)}\n\n"
    yield "data: [DONE]\n\n"


@router.post("/chat/completions", response_model=None, responses=STREAMS)
def chat_completions(body: ChatCompletionBody, request: Request) -> dict[str, object] | StreamingResponse:
    components = request.app.state.components
    corpus = open_collection(request, collection_of(body.model))
    model = model_id(corpus.name, components.settings.default_collection)
    result, usage = _answer(components, corpus, _request(body, components.settings.max_question_chars))
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if body.stream:
        return StreamingResponse(_stream(result, usage if body.include_usage else None, completion_id, created,
                                         model), media_type="text/event-stream")
    return {
        "id": completion_id, "object": "chat.completion", "created": created, "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": with_sources(result)}}],
        "usage": usage.as_dict(),
        "citations": result.citations, "refused": result.refused, "refusal": result.refusal,
    }


def model_card(settings: Settings, collection: str) -> dict[str, object]:
    """One collection as a model, with what writes its answers (``backend``, ``generator``)."""
    generator = {"local": settings.local_model, "openai": settings.openai_model}.get(settings.llm_backend)
    return {"id": model_id(collection, settings.default_collection), "object": "model", "created": STARTED,
            "owned_by": "newsqa", "collection": collection,
            "backend": settings.llm_backend, "generator": generator or settings.llm_backend}


def _cards(request: Request) -> list[dict[str, object]]:
    settings = request.app.state.components.settings
    return [model_card(settings, name) for name in visible_collections(request)]


@router.get("/models")
def models(request: Request) -> dict[str, object]:
    """A model per collection this key may use."""
    return {"object": "list", "data": _cards(request)}


@router.get("/models/{name}", responses=UNKNOWN_MODEL)
def model(name: str, request: Request) -> dict[str, object]:
    for card in _cards(request):
        if card["id"] == name:
            return card
    raise HTTPException(status_code=404, detail=f"no model {name!r}; `GET /v1/models` lists them")

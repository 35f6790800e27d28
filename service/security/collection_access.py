"""Which collection a request reads or writes, and whether its key may.

A key bound to collections gets the same 404 for a collection it may not use as for one
that does not exist, after the same registry lookup: no answer, status or timing tells a
client whether a name it was not given exists. Keys without a list, the local token of
``newsqa serve`` and local open mode (no keys) may use every collection.
"""

from __future__ import annotations

from fastapi import Request

from service.assembly import Corpus
from service.security.api_keys import ApiKey


def request_key(request: Request) -> ApiKey | None:
    """The key the guard accepted; None in local open mode."""
    return getattr(request.state, "api_key", None)


def may_use(request: Request, collection: str) -> bool:
    key = request_key(request)
    return key is None or key.may_use(collection)


def open_collection(request: Request, name: str | None) -> Corpus:
    """The named collection, else the service's default; raises ``UnknownCollection``
    (404). The name becomes the request's metrics label only once it passed both checks."""
    components = request.app.state.components
    chosen = name or components.settings.default_collection
    corpus: Corpus = components.corpora.open(chosen, visible=may_use(request, chosen))
    request.state.collection = chosen
    return corpus


def visible_collections(request: Request) -> list[str]:
    """The collections this request's key may use, by name."""
    return [name for name in request.app.state.components.corpora.names() if may_use(request, name)]

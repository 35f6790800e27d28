"""The data dir claim of a serving process (see ``service.data_dir_claim``): ``newsqa serve``
publishes its URL and a token for this run, so that ``newsqa ingest`` and ``newsqa docs
delete`` can hand it their work; a worker started by uvicorn itself publishes only its pid.

With Chroma as a server any number of processes may write, so nothing is claimed.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys

from service.assembly import Components
from service.data_dir_claim import Holder, claim_for_service, local_url
from service.storage_errors import check_writable

log = logging.getLogger("newsqa.data_dir")


def hold_for_serving(components: Components, host: str, port: int) -> None:
    """Held until the app shuts down (``Components.close``) or the process ends; the token
    is added to the keys of this run only."""
    settings = components.settings
    if settings.chroma_mode == "server":
        return
    check_writable(settings)  # the lock file is a write: a refusal names the data dir, not the lock
    claim = claim_for_service(settings.data_dir, lambda message: print(message, file=sys.stderr, flush=True))
    token = secrets.token_urlsafe(32)
    components.key_store = components.key_store.with_local_token(token)
    claim.publish(Holder(os.getpid(), "serve", url=local_url(host, port), token=token))
    components.data_dir_claim = claim


def hold_for_worker(components: Components) -> None:
    """The claim of an app that uvicorn builds in a worker process of its own. A second worker
    on the same embedded files fails to start, and uvicorn then stops them all, rather than
    serving from processes that do not see each other's writes."""
    settings = components.settings
    if settings.chroma_mode == "server":
        return
    check_writable(settings)
    claim = claim_for_service(settings.data_dir, log.info)
    claim.publish(Holder(os.getpid(), "worker"))
    components.data_dir_claim = claim

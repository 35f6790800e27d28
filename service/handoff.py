"""The running service's document API, as ``newsqa ingest`` and ``newsqa docs delete`` use
it when that service holds the data dir (see ``service.data_dir_claim``).

The command reads and parses its sources itself, with its own options, and sends the
articles in small batches to ``POST /v1/documents``, so the service embeds and writes them
through the same idempotent pipeline and its next answer sees them. An article the API
would refuse is checked here first and reported as a failure of its own, so one bad field
never costs the rest of its batch.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from ingest.article import Article, LoadFailure
from ingest.pipeline import IngestReport, Progress
from ingest.store.collection_registry import CollectionExists
from service.data_dir_claim import Holder, current_holder
from service.schemas import ArticleIn

# A batch is sent when it reaches either bound: small enough that the bar moves every few
# seconds and a batch stays far below the service's body limit, large enough to keep the
# encoder's batches full.
BATCH_ARTICLES = 16
BATCH_CHARS = 200_000
REQUEST_TIMEOUT_S = 600.0
POLL_S = 0.5


class HandoffError(RuntimeError):
    """The service that holds the data dir did not take the work; the message says why."""


class ServiceClient:
    """Calls the service named by a holder file with the token it published, for one
    collection: the command's own."""

    def __init__(self, holder: Holder, data_dir: Path, collection: str) -> None:
        if holder.url is None:
            raise ValueError("a holder without a URL cannot be called")
        self.holder = holder
        self._data_dir = data_dir
        self.collection = collection
        headers = {"Authorization": f"Bearer {holder.token}"} if holder.token else {}
        # The service is on this machine: a proxy from the environment must not come between.
        self._http = httpx.Client(base_url=holder.url, headers=headers, timeout=REQUEST_TIMEOUT_S,
                                  trust_env=False)

    def close(self) -> None:
        self._http.close()

    def wait_ready(self, timeout_s: float, on_wait: Callable[[str], None]) -> bool:
        """True once ``/readyz`` says 200; False when the service ended meanwhile (the
        caller then takes the data dir itself). A service that is still loading its models
        is waited for, saying so once."""
        deadline = time.monotonic() + timeout_s
        said = False
        last = "no answer"
        while time.monotonic() < deadline:
            if current_holder(self._data_dir) != self.holder:
                return False
            try:
                ready = self._http.get("/readyz", timeout=10)
                if ready.status_code == 200:
                    return True
                last = f"/readyz answers {ready.status_code}: {ready.text[:300]}"
            except httpx.TransportError as exc:
                last = f"no answer ({type(exc).__name__})"
            if not said:
                on_wait(f"waiting for {self.holder.describe()} to be ready ...")
                said = True
            time.sleep(POLL_S)
        raise HandoffError(f"{self.holder.describe()} holds the data dir but is not ready after "
                           f"{timeout_s:.0f} s ({last}); check its log, or stop it and run "
                           "this command again")

    def add(self, articles: Sequence[Article]) -> IngestReport:
        body = {"articles": [payload(a) for a in articles], "collection": self.collection}
        got = self._call("POST", "/v1/documents", body=body).json()
        return IngestReport(added=got["added"], updated=got["updated"], unchanged=got["unchanged"],
                            failed=[LoadFailure(f["origin"], f["reason"]) for f in got["failed"]],
                            chunks=got["chunks"])

    def delete(self, doc_id: str) -> bool:
        response = self._call("DELETE", f"/v1/documents/{quote(doc_id, safe='')}?collection={self.collection}",
                              missing_ok=True)
        return response.status_code != 404

    def create_collection(self, name: str) -> None:
        if self._call("POST", "/v1/collections", body={"name": name}, exists_ok=True).status_code == 409:
            raise CollectionExists(name)

    def delete_collection(self, name: str) -> bool:
        return self._call("DELETE", f"/v1/collections/{name}", missing_ok=True).status_code != 404

    def _call(self, method: str, path: str, *, body: dict[str, object] | None = None,
              missing_ok: bool = False, exists_ok: bool = False) -> httpx.Response:
        """Retries what the service asks to retry (429, 503 with ``Retry-After``); any other
        refusal ends the command with the service's own reason."""
        while True:
            try:
                response = self._http.request(method, path, json=body)
            except httpx.TransportError as exc:
                raise HandoffError(f"{self.holder.describe()} stopped answering "
                                   f"({type(exc).__name__}); what it had confirmed is indexed, "
                                   "and running this command again completes the rest") from exc
            retry = response.headers.get("Retry-After")
            if response.status_code in (429, 503) and retry and retry.isdigit():
                time.sleep(int(retry))
                continue
            if response.is_success or (missing_ok and response.status_code == 404) \
                    or (exists_ok and response.status_code == 409):
                return response
            raise HandoffError(f"{self.holder.describe()} refused {method} {path}: "
                               f"{response.status_code} {response.text[:500]}")


def payload(article: Article) -> dict[str, object]:
    """The article as ``POST /v1/documents`` takes it, with the origin it was read from."""
    fields = {"id": article.id, "url": article.url, "title": article.title, "text": article.text,
              "published": article.published, "source": article.source, "author": article.author,
              "origin": article.origin or None}
    return {k: v for k, v in fields.items() if v is not None}


def refusal(article: Article) -> LoadFailure | None:
    """Why the API would refuse this article, checked before it is sent."""
    try:
        ArticleIn.model_validate(payload(article))
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return LoadFailure(article.origin or article.identity(), f"not accepted by the service: {reasons}")
    return None


def batches(articles: Iterable[Article]) -> Iterator[list[Article]]:
    batch: list[Article] = []
    size = 0
    for article in articles:
        batch.append(article)
        size += len(article.text)
        if len(batch) >= BATCH_ARTICLES or size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def ingest_through(client: ServiceClient, items: Iterable[Article | LoadFailure],
                   progress: Callable[[Progress], None] | None = None) -> IngestReport:
    """The same report as a local ingest, made of the service's answers to each batch."""
    started = time.perf_counter()
    report = IngestReport()
    accepted: list[Article] = []
    for item in items:
        if isinstance(item, LoadFailure):
            report.failed.append(item)
            continue
        refused = refusal(item)
        if refused is None:
            accepted.append(item)
            continue
        report.failed.append(refused)
        if progress:
            progress(Progress(1, 0))
    for batch in batches(accepted):
        part = client.add(batch)
        for name in ("added", "updated", "unchanged", "failed"):
            getattr(report, name).extend(getattr(part, name))
        report.chunks += part.chunks
        if progress:
            progress(Progress(len(batch), part.chunks))
    report.seconds = time.perf_counter() - started
    return report

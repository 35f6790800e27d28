"""Schema fuzzing: schemathesis sends requests generated from the OpenAPI schema (valid ones
and deliberately broken ones) and checks that no answer is a 5xx or strays from the schema
(status codes, content types, bodies, headers), and that routes declaring a key enforce it.

A schema describes only JSON a strict parser accepts, so the JSON bodies are also sent
with one value swapped for what no schema can ask for: ``NaN`` or ``Infinity``, a lone
surrogate escape, a byte that is not UTF-8, or a string where a number or boolean goes.

Read-only routes run over the sample corpus (``sample_components``); routes that write run
against a throwaway index, so the shared one stays as the other tests expect. Bounded:
a few examples per operation, no shrinking, about a minute in all.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ingest.embedder import Embedder
from service.app import create_app
from service.assembly import Components
from service.settings import Settings

KEY = "fuzz-7c1e9a04b3d2f856"
AUTH = {"Authorization": f"Bearer {KEY}"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, ignored_auth]
BOUNDED = settings(max_examples=12, deadline=None, database=None, derandomize=True,
                   phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))


def _app(base: Settings, embedder: Embedder, reranker: object | None = None) -> schemathesis.BaseSchema:
    """Keys configured, as in production; limits off so that fuzzing is not throttled."""
    components = Components(base.model_copy(update={
        "llm_backend": "extractive", "api_keys": SecretStr(json.dumps({KEY: ["admin", "query"]})),
        "rate_limit_per_minute": 0}))
    components.embedder = embedder
    if reranker is not None:
        components.reranker = reranker
    _ = components.corpus().ask_service  # models loaded, so /readyz is 200
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(components))


@pytest.fixture(scope="module")
def sample_api(sample_components: Components) -> schemathesis.BaseSchema:
    return _app(sample_components.settings, sample_components.embedder, sample_components.reranker)


@pytest.fixture(scope="module")
def throwaway_api(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> schemathesis.BaseSchema:
    return _app(Settings(data_dir=tmp_path_factory.mktemp("fuzz") / "data", _env_file=None), embedder)


# Swapped-in values, each with the status it must get wherever it lands (None: any 4xx or
# a 2xx, since a string may land where strings belong).
BAD_UTF8 = "@not-utf8@"  # sent as the byte 0xff
HOSTILE: list[tuple[object, int | None]] = [
    (float("nan"), 422), (float("inf"), 422), (float("-inf"), 422),
    ("kettles \ud800 recall", 422), ("\udfff", 422), (BAD_UTF8, 400),
    ("5", None), ("yes", None), ("true", None)]


def _places(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Where a value sits in a JSON body, containers included, the body itself not."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    return [place for key, item in items for place in [(*path, key), *_places(item, (*path, key))]]


def _swapped(body: Any, place: tuple[str | int, ...], value: object) -> bytes:
    """``body`` as JSON text with the value at ``place`` replaced, escaped as clients that
    escape all non-ASCII text send it."""
    body = json.loads(json.dumps(body))
    target = body
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    return json.dumps(body).encode().replace(BAD_UTF8.encode(), b"\xff")


def _checked(operation: Any, run: Callable[[], None]) -> str:
    """Runs one operation's property test, naming the operation in any failure."""
    try:
        run()
    except Exception as exc:
        raise AssertionError(f"{operation.label}: {exc}") from exc
    return str(operation.label)


def _json_operations(schema: schemathesis.BaseSchema) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if any(b.media_type == "application/json" for b in op.body)]


def _fuzz_hostile(schema: schemathesis.BaseSchema) -> list[str]:
    """Each JSON body operation with one value swapped for a hostile one."""
    labels = []
    for operation in _json_operations(schema):
        @BOUNDED
        @given(case=operation.as_strategy(GenerationMode.POSITIVE), data=st.data())
        def run(case: Case, data: st.DataObject) -> None:
            places = _places(case.body)
            place = data.draw(st.sampled_from(places), label="place")
            value, status = data.draw(st.sampled_from(HOSTILE), label="value")
            response = case.call_and_validate(headers={**AUTH, "Content-Type": "application/json"},
                                              checks=CHECKS, data=_swapped(case.body, place, value))
            assert status is None or response.status_code == status, (place, value, response.text)

        labels.append(_checked(operation, run))
    return labels


WRITES = dict(method=["POST", "DELETE"], path_regex="^/v1/(documents|feeds|collections)")


def _fuzz(schema: schemathesis.BaseSchema) -> list[str]:
    """Each operation in valid and in deliberately invalid shapes; the label of every
    operation fuzzed, so a test can tell that none was filtered away."""
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        modes = [operation.as_strategy(mode) for mode in GenerationMode]

        @BOUNDED
        @given(case=st.one_of(modes))
        def run(case: Case) -> None:
            case.call_and_validate(headers=AUTH, checks=CHECKS)

        labels.append(_checked(operation, run))
    return labels


def test_reading_routes_hold_to_the_schema(sample_api: schemathesis.BaseSchema) -> None:
    labels = _fuzz(sample_api.exclude(**WRITES))
    assert {"POST /v1/ask", "POST /v1/search", "POST /v1/chat/completions",
            "GET /v1/documents/{doc_id}"} <= set(labels)


def test_reading_routes_refuse_what_no_schema_describes(sample_api: schemathesis.BaseSchema) -> None:
    labels = _fuzz_hostile(sample_api.exclude(**WRITES))
    assert set(labels) == {"POST /v1/ask", "POST /v1/search", "POST /v1/chat/completions"}


def test_writing_routes_refuse_what_no_schema_describes(throwaway_api: schemathesis.BaseSchema) -> None:
    assert _fuzz_hostile(throwaway_api.include(**WRITES)) == [
        "POST /v1/collections", "POST /v1/documents", "POST /v1/feeds"]


def test_writing_routes_hold_to_the_schema(throwaway_api: schemathesis.BaseSchema) -> None:
    labels = _fuzz(throwaway_api.include(**WRITES))
    assert set(labels) == {"POST /v1/documents", "POST /v1/documents/upload", "DELETE /v1/documents/{doc_id}",
                           "POST /v1/feeds", "DELETE /v1/feeds/{feed_id}", "POST /v1/collections",
                           "DELETE /v1/collections/{name}"}

"""Schema fuzzing: schemathesis sends requests generated from the OpenAPI schema (valid ones
and deliberately broken ones) and checks that no answer is a 5xx or strays from the schema
(status codes, content types, bodies, headers), and that routes declaring a key enforce it.

Read-only routes run over the sample corpus (``sample_components``); routes that write run
against a throwaway index, so the shared one stays as the other tests expect. Bounded:
a few examples per operation, no shrinking, about a minute in all.
"""

from __future__ import annotations

import json

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
    _ = components.ask_service  # models loaded, so /readyz is 200
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(components))


@pytest.fixture(scope="module")
def sample_api(sample_components: Components) -> schemathesis.BaseSchema:
    return _app(sample_components.settings, sample_components.embedder, sample_components.reranker)


@pytest.fixture(scope="module")
def throwaway_api(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> schemathesis.BaseSchema:
    return _app(Settings(data_dir=tmp_path_factory.mktemp("fuzz") / "data", _env_file=None), embedder)


WRITES = dict(method=["POST", "DELETE"], path_regex="^/v1/documents")


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

        try:
            run()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
        labels.append(operation.label)
    return labels


def test_reading_routes_hold_to_the_schema(sample_api: schemathesis.BaseSchema) -> None:
    labels = _fuzz(sample_api.exclude(**WRITES))
    assert {"POST /v1/ask", "POST /v1/search", "POST /v1/chat/completions",
            "GET /v1/documents/{doc_id}"} <= set(labels)


def test_writing_routes_hold_to_the_schema(throwaway_api: schemathesis.BaseSchema) -> None:
    labels = _fuzz(throwaway_api.include(**WRITES))
    assert set(labels) == {"POST /v1/documents", "POST /v1/documents/upload", "DELETE /v1/documents/{doc_id}"}

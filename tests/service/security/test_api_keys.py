"""API keys: parsing both configuration forms, digests only, constant-time comparison, and the
401/403 answers of protected routes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ingest.embedder import Embedder
from service.app import create_app
from service.assembly import Components
from service.security import api_keys
from service.security.api_keys import KeyConfigError, KeyStore
from service.settings import Settings

QUERY_KEY = "q-4f9c2e7a1b6d"
ADMIN_KEY = "a-8e3b5d0c9f21"
WIDGET_KEY = "w-71c0a9e4d2b8"
SITE = "https://news.example"
KEYS = {QUERY_KEY: ["query"], ADMIN_KEY: ["admin", "query"],
        WIDGET_KEY: {"scopes": ["query"], "origins": [SITE]}}


@pytest.fixture
def client(tmp_path: Path, embedder: Embedder) -> TestClient:
    components = Components(Settings(data_dir=tmp_path / "data", llm_backend="extractive",
                                     api_keys=json.dumps(KEYS), _env_file=None))
    components.embedder = embedder
    return TestClient(create_app(components))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_json_keys_with_scopes_and_origins() -> None:
    store = KeyStore.load(json.dumps(KEYS), None)
    assert store.configured
    assert store.find(QUERY_KEY).scopes == {"query"}
    assert store.find(ADMIN_KEY).scopes == {"admin", "query"}
    widget = store.find(WIDGET_KEY)
    assert widget.allows_origin(SITE) and widget.allows_origin(SITE + "/") and widget.allows_origin(None)
    assert not widget.allows_origin("https://evil.example")
    assert store.find("q-4f9c2e7a1b6") is None and store.find("") is None


def test_line_file_with_comments_and_origins(tmp_path: Path) -> None:
    path = tmp_path / "keys.txt"
    path.write_text(f"# ops keys\n\n{ADMIN_KEY} admin,query\n{WIDGET_KEY} query {SITE},https://www.news.example\n")
    store = KeyStore.load("", path)
    assert store.find(ADMIN_KEY).scopes == {"admin", "query"}
    assert store.find(WIDGET_KEY).allows_origin("https://www.news.example")
    assert not store.find(WIDGET_KEY).allows_origin("https://other.example")


def test_json_file_and_setting_are_combined(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({ADMIN_KEY: ["admin"]}))
    store = KeyStore.load(json.dumps({QUERY_KEY: ["query"]}), path)
    assert store.find(ADMIN_KEY) and store.find(QUERY_KEY)


def test_keys_name_the_collections_they_may_use(tmp_path: Path) -> None:
    """Without a list, or with ``*``, a key may use every collection, as keys did before."""
    path = tmp_path / "keys.txt"
    path.write_text(f"{ADMIN_KEY} admin,query collections=wire,archive\n"
                    f"{WIDGET_KEY} query {SITE} collections=archive\n{QUERY_KEY} query collections=*\n")
    store = KeyStore.load(json.dumps({"j-2c5e8a0b": {"scopes": ["query"], "collections": ["wire"]}}), path)
    assert store.find(ADMIN_KEY).may_use("wire") and not store.find(ADMIN_KEY).may_use("default")
    widget = store.find(WIDGET_KEY)
    assert widget.allows_origin(SITE) and widget.may_use("archive") and not widget.may_use("wire")
    assert store.find(QUERY_KEY).may_use("anything")
    assert store.find("j-2c5e8a0b").collections == {"wire"}
    assert KeyStore.load(json.dumps(KEYS), None).find(QUERY_KEY).may_use("wire")


@pytest.mark.parametrize("text, fragment", [
    (f"{ADMIN_KEY} admin collections=\n", "line 1: `collections=` names no collection"),
    (f"{ADMIN_KEY} admin collections=Wire\n", "line 1: 'Wire' is not a collection name"),
    ('{"k": {"scopes": ["query"], "collections": []}}', "entry 1: collections"),
    ('{"k": {"scopes": ["query"], "collections": ["a b"]}}', "'a b' is not a collection name"),
    (f"{ADMIN_KEY} admin,root\n", "line 1: unknown scope root"),
    (f"\n{ADMIN_KEY}\n", "line 2: expected `key scope,scope"),
    (f"{ADMIN_KEY} admin\n{ADMIN_KEY} query\n", "line 2: this key is already defined"),
    ('{"k": ["query"], "x": ["sudo"]}', "entry 2"),
    ('{"k": {"scopes": []}}', "entry 1"),
    ('{"k": ["query"],}', "not valid JSON"),
    ('{"has space": ["query"]}', "no whitespace"),
])
def test_bad_key_files_say_where_but_never_the_key(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "keys"
    path.write_text(text)
    with pytest.raises(KeyConfigError) as caught:
        KeyStore.load("", path)
    assert fragment in str(caught.value)
    assert ADMIN_KEY not in str(caught.value)


def test_only_digests_are_kept_and_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    store = KeyStore.load(json.dumps(KEYS), None)
    assert all(k not in repr(vars(store)) for k in KEYS)
    compared: list[tuple[bytes, bytes]] = []
    real = api_keys.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_keys.hmac, "compare_digest", spy)
    assert store.find(QUERY_KEY) is not None
    assert len(compared) == len(KEYS), "every key is compared, also after a match"
    assert all(b == api_keys.digest(QUERY_KEY) for _, b in compared)


def test_keys_setting_is_hidden_in_the_settings_repr() -> None:
    settings = Settings(api_keys=json.dumps(KEYS), _env_file=None)
    assert QUERY_KEY not in repr(settings) and QUERY_KEY not in str(settings.model_dump())


def test_no_key_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "tram depot"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "'query' scope is required" in response.json()["detail"]


def test_unknown_key_is_401(client: TestClient) -> None:
    response = client.get("/v1/documents", headers=bearer("not-a-key"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "unknown API key" in response.json()["detail"]


def test_query_key_cannot_ingest_or_delete(client: TestClient) -> None:
    article = {"articles": [{"title": "Tram depot opens", "text": "The depot opened on Friday."}]}
    for response in (client.post("/v1/documents", json=article, headers=bearer(QUERY_KEY)),
                     client.delete("/v1/documents/some-id", headers=bearer(QUERY_KEY)),
                     client.post("/v1/documents/upload", headers=bearer(QUERY_KEY),
                                 files={"file": ("a.txt", b"Title\n\nBody text.")})):
        assert response.status_code == 403
        assert "lacks the 'admin' scope" in response.json()["detail"]


def test_scoped_keys_reach_their_routes(client: TestClient) -> None:
    article = {"articles": [{"id": "t1", "title": "Tram depot opens", "text": "The depot opened on Friday."}]}
    assert client.post("/v1/documents", json=article, headers=bearer(ADMIN_KEY)).json()["added"] == ["t1"]
    assert client.get("/v1/documents/t1", headers=bearer(QUERY_KEY)).status_code == 200
    assert client.get("/v1/documents", headers={"X-API-Key": QUERY_KEY}).status_code == 200
    assert client.post("/v1/search", json={"query": "tram depot", "rerank": False},
                       headers=bearer(QUERY_KEY)).status_code == 200
    assert client.delete("/v1/documents/t1", headers=bearer(ADMIN_KEY)).status_code == 200


def test_origin_bound_key_is_refused_from_other_sites(client: TestClient) -> None:
    assert client.get("/v1/documents", headers={**bearer(WIDGET_KEY), "Origin": SITE}).status_code == 200
    assert client.get("/v1/documents", headers=bearer(WIDGET_KEY)).status_code == 200
    refused = client.get("/v1/documents", headers={**bearer(WIDGET_KEY), "Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert "https://evil.example" in refused.json()["detail"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/widget.js", "/", "/docs", "/redoc",
                                  "/docs-assets/swagger-ui-bundle.js", "/openapi.json"])
def test_probes_metrics_widget_and_docs_stay_open(client: TestClient, path: str) -> None:
    assert client.get(path).status_code in (200, 503)  # /readyz: models not loaded yet


def test_openapi_documents_both_ways_to_send_a_key(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schema["components"]["securitySchemes"])
    assert schema["paths"]["/v1/ask"]["post"]["security"] == [{"HTTPBearer": []}, {"APIKeyHeader": []}]
    assert "security" not in schema["paths"]["/healthz"]["get"]


def test_without_keys_the_api_is_open(components: Components) -> None:
    client = TestClient(create_app(components))
    assert client.get("/v1/documents").status_code == 200


def test_refusals_are_readable_by_the_widget(client: TestClient) -> None:
    """CORS headers on a 401 too, or the browser reports a network error instead."""
    response = client.get("/v1/documents", headers={"Origin": "http://localhost:8000"})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == "http://localhost:8000"
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_a_local_token_grants_every_scope_and_leaves_open_mode_open() -> None:
    open_store = KeyStore().with_local_token("run-token-abc")
    assert not open_store.configured
    found = open_store.find("run-token-abc")
    assert found is not None and found.scopes == {"admin", "query"}
    keyed = KeyStore.load('{"reader-1": ["query"]}', None).with_local_token("run-token-abc")
    assert keyed.configured and keyed.find("reader-1") is not None
    assert keyed.find("run-token-abc") is not None and keyed.find("run-token-abd") is None

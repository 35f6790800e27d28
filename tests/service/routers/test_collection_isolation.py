"""Keys bound to one collection try to reach another's over real HTTP, on every route: no
passage, title, id, count, citation or closest source of the other collection comes back,
its name cannot be told from one that does not exist, and nothing of it can be changed.

``newsroom`` holds harbour and council news; ``embargo`` holds a takeover story whose
words (``Northwind``, ``Calder``, ``procurement``) must never reach a newsroom key, and a
page under the same URL as one of the newsroom's.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import httpx
import pytest

from ingest.article import Article
from service.app import create_app
from service.assembly import Components
from service.settings import Settings
from tests.conftest import LiveServer, _stores

NEWSROOM_QUERY = "nq-5d2a91c07e3b"
NEWSROOM_ADMIN = "na-0b7e44f19c26"
EMBARGO_QUERY = "eq-8c1f3a6d2e90"
WIDGET = "wg-3e9b07d5a1c4"
OPERATOR = "op-6a4d2c8e0f17"
SITE = "https://harbor.example"
KEYS = {NEWSROOM_QUERY: {"scopes": ["query"], "collections": ["newsroom"]},
        NEWSROOM_ADMIN: {"scopes": ["admin", "query"], "collections": ["newsroom"]},
        EMBARGO_QUERY: {"scopes": ["query"], "collections": ["embargo"]},
        WIDGET: {"scopes": ["query"], "origins": [SITE], "collections": ["newsroom"]},
        OPERATOR: ["admin", "query"]}
SHARED_URL = "https://harbor.example/elm-street"
NEWSROOM = [
    Article(title="Ferry timetable changes at Harbor Point", url="https://harbor.example/ferry",
            published="2024-03-04", source="Harbor Ledger",
            text="The Harbor Point ferry will run every twenty minutes from April, the transit authority said."),
    Article(title="Council approves Elm Street bike lanes", url=SHARED_URL, published="2024-03-05",
            source="Harbor Ledger",
            text="The council approved painted bike lanes on Elm Street after a long debate on Tuesday."),
    Article(title="Library extends weekend hours", url="https://harbor.example/library",
            published="2024-03-06", source="Harbor Ledger",
            text="The central library will stay open until nine on Saturdays and Sundays from March."),
]
EMBARGO = [
    Article(title="Northwind to buy Calder Mining", url="https://wire.example/calder", published="2024-03-05",
            source="Wire Desk",
            text="Northwind Resources agreed to acquire Calder Mining for 4.2 billion dollars in cash, "
                 "people familiar with the deal said. The takeover will be announced on Monday."),
    Article(title="Elm Street contractor named in procurement inquiry", url=SHARED_URL, published="2024-03-06",
            source="Wire Desk",
            text="The Elm Street paving contractor was named in a procurement inquiry by the city auditor."),
]
SECRETS = ("Northwind", "Calder", "procurement", "4.2 billion", "wire.example", "Wire Desk")
TAKEOVER = "Who is buying Calder Mining, and for how much?"


@pytest.fixture(scope="module")
def components(tmp_path_factory: pytest.TempPathFactory, embedder: Any, store_mode: str,
               request: pytest.FixtureRequest) -> Iterator[Components]:
    built = Components(Settings(data_dir=tmp_path_factory.mktemp("isolation") / "data",
                                llm_backend="extractive", api_keys=json.dumps(KEYS),
                                rate_limit_per_minute=0, cors_origins=[SITE], _env_file=None,
                                **_stores(store_mode, request)))
    built.embedder = embedder
    for name, articles in (("newsroom", NEWSROOM), ("embargo", EMBARGO)):
        built.corpora.create(name)
        assert not built.corpus(name).indexer.ingest(articles).failed
    yield built
    built.close()


@pytest.fixture(scope="module")
def server(components: Components) -> Iterator[LiveServer]:
    with LiveServer(create_app(components)) as live:
        yield live


def call(server: LiveServer, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", **kwargs.pop("headers", {})}
    return httpx.request(method, f"{server.url}{path}", headers=headers, timeout=60, **kwargs)


def assert_nothing_of_embargo(payload: object, *, asked: str = "") -> None:
    """No word of the embargoed articles anywhere in a response, but for the client's own
    question echoed back."""
    text = json.dumps(payload) if not isinstance(payload, str) else payload
    text = text.replace(json.dumps(asked)[1:-1], "") if asked else text
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, leaked


def assert_unknown(response: httpx.Response, name: str) -> None:
    """The answer for a collection the key may not use is the one for a name that does not
    exist: same status, same sentence."""
    assert response.status_code == 404, response.text
    assert response.json() == {"detail": f"no collection '{name}'"}


def test_search_and_ask_of_a_bound_key_read_only_its_collection(server: LiveServer) -> None:
    search = call(server, NEWSROOM_QUERY, "POST", "/v1/search",
                  json={"query": TAKEOVER, "collection": "newsroom", "top_k": 10})
    assert search.status_code == 200 and search.json()["passages"]
    assert_nothing_of_embargo(search.json(), asked=TAKEOVER)
    answer = call(server, NEWSROOM_QUERY, "POST", "/v1/ask", json={"question": TAKEOVER, "collection": "newsroom"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["refused"] and body["closest_sources"]
    assert_nothing_of_embargo(body, asked=TAKEOVER)
    own = call(server, EMBARGO_QUERY, "POST", "/v1/ask", json={"question": TAKEOVER, "collection": "embargo"})
    assert "Northwind" in own.json()["answer"], "the question is answerable where it belongs"


def test_the_stream_carries_nothing_of_another_collection(server: LiveServer) -> None:
    streamed = call(server, NEWSROOM_QUERY, "POST", "/v1/ask",
                    json={"question": TAKEOVER, "collection": "newsroom", "stream": True})
    assert streamed.status_code == 200 and "event: passages" in streamed.text and "event: done" in streamed.text
    assert_nothing_of_embargo(streamed.text, asked=TAKEOVER)


def test_another_collection_reads_as_one_that_does_not_exist(server: LiveServer) -> None:
    for name in ("embargo", "no-such-desk"):
        for method, path, body in (
                ("POST", "/v1/search", {"query": TAKEOVER, "collection": name}),
                ("POST", "/v1/ask", {"question": TAKEOVER, "collection": name}),
                ("POST", "/v1/ask", {"question": TAKEOVER, "collection": name, "stream": True})):
            assert_unknown(call(server, NEWSROOM_QUERY, method, path, json=body), name)
        for path in ("/v1/documents", f"/v1/documents/{SHARED_URL}"):
            assert_unknown(call(server, NEWSROOM_QUERY, "GET", path, params={"collection": name}), name)
        assert_unknown(call(server, NEWSROOM_ADMIN, "GET", f"/v1/collections/{name}"), name)
        assert_unknown(call(server, NEWSROOM_ADMIN, "DELETE", f"/v1/collections/{name}"), name)
    # Without a collection a request reads the default one, which these keys are not given.
    assert_unknown(call(server, NEWSROOM_QUERY, "POST", "/v1/search", json={"query": TAKEOVER}), "default")


def test_documents_list_and_read_only_the_keys_collection(server: LiveServer) -> None:
    listing = call(server, NEWSROOM_QUERY, "GET", "/v1/documents", params={"collection": "newsroom"}).json()
    assert listing["total"] == 3 and len(listing["documents"]) == 3
    assert_nothing_of_embargo(listing)
    # One URL in two collections is two documents; each key reads its own.
    shared = call(server, NEWSROOM_QUERY, "GET", f"/v1/documents/{SHARED_URL}", params={"collection": "newsroom"})
    assert shared.json()["title"] == "Council approves Elm Street bike lanes"
    assert_nothing_of_embargo(shared.json())
    theirs = call(server, EMBARGO_QUERY, "GET", f"/v1/documents/{SHARED_URL}", params={"collection": "embargo"})
    assert theirs.json()["title"] == "Elm Street contractor named in procurement inquiry"
    missing = call(server, NEWSROOM_QUERY, "GET", "/v1/documents/https://wire.example/calder",
                   params={"collection": "newsroom"})
    assert missing.status_code == 404 and "Northwind" not in missing.text


def test_a_bound_admin_key_cannot_change_another_collection(server: LiveServer, components: Components) -> None:
    for params in ({"collection": "embargo"}, {"collection": "newsroom"}):
        gone = call(server, NEWSROOM_ADMIN, "DELETE", "/v1/documents/https://wire.example/calder", params=params)
        assert gone.status_code == 404
    added = call(server, NEWSROOM_ADMIN, "POST", "/v1/documents",
                 json={"collection": "embargo", "articles": [{"title": "Planted", "text": "Planted text."}]})
    assert_unknown(added, "embargo")
    upload = call(server, NEWSROOM_ADMIN, "POST", "/v1/documents/upload", params={"collection": "embargo"},
                  files={"file": ("planted.txt", b"Planted\n\nPlanted text.")})
    assert_unknown(upload, "embargo")
    made = call(server, NEWSROOM_ADMIN, "POST", "/v1/collections", json={"name": "sideline"})
    assert made.status_code == 403
    assert components.corpus("embargo").catalog.count() == 2
    assert {d.title for d in components.corpus("embargo").catalog.list()} == {a.title for a in EMBARGO}


def test_collections_and_models_list_only_what_the_key_may_use(server: LiveServer) -> None:
    listed = call(server, NEWSROOM_ADMIN, "GET", "/v1/collections").json()
    assert listed == {"collections": [{"name": "newsroom", "default": False, "documents": 3,
                                       "vectors": listed["collections"][0]["vectors"]}]}
    everything = call(server, OPERATOR, "GET", "/v1/collections").json()["collections"]
    assert [c["name"] for c in everything] == ["default", "embargo", "newsroom"]
    models = call(server, NEWSROOM_QUERY, "GET", "/v1/models").json()["data"]
    assert [m["id"] for m in models] == ["newsqa:newsroom"]
    assert call(server, NEWSROOM_QUERY, "GET", "/v1/models/newsqa:embargo").status_code == 404
    assert [m["id"] for m in call(server, OPERATOR, "GET", "/v1/models").json()["data"]] == [
        "newsqa", "newsqa:embargo", "newsqa:newsroom"]


def test_chat_completions_answer_from_the_collection_the_model_names(server: LiveServer) -> None:
    ask = {"messages": [{"role": "user", "content": TAKEOVER}]}
    own = call(server, NEWSROOM_QUERY, "POST", "/v1/chat/completions", json={**ask, "model": "newsqa:newsroom"})
    assert own.status_code == 200 and own.json()["model"] == "newsqa:newsroom"
    assert_nothing_of_embargo(own.json(), asked=TAKEOVER)
    for model in ("newsqa:embargo", "newsqa:no-such-desk"):
        refused = call(server, NEWSROOM_QUERY, "POST", "/v1/chat/completions", json={**ask, "model": model})
        assert_unknown(refused, model.split(":")[1])
    streamed = call(server, NEWSROOM_QUERY, "POST", "/v1/chat/completions",
                    json={**ask, "model": "newsqa:newsroom", "stream": True})
    assert "[DONE]" in streamed.text
    assert_nothing_of_embargo(streamed.text, asked=TAKEOVER)


def test_a_follow_up_quoting_another_collection_finds_nothing_of_it(server: LiveServer) -> None:
    history = [{"role": "user", "content": TAKEOVER},
               {"role": "assistant", "content": EMBARGO[0].text}]
    question = "How much will they pay, and when is it announced?"
    body = call(server, NEWSROOM_QUERY, "POST", "/v1/ask",
                json={"question": question, "history": history, "collection": "newsroom"}).json()
    shown = {k: body[k] for k in ("answer", "citations", "closest_sources", "unsupported_sentences")}
    assert_nothing_of_embargo(shown)


def test_cached_vectors_of_one_collection_never_serve_another(server: LiveServer) -> None:
    """A date bound searches the few chunks it keeps exactly, from vectors held in memory:
    the embargo's are cached first, then the same question goes through the newsroom."""
    narrow = {"query": TAKEOVER, "as_of": "2024-03-06", "top_k": 10}
    theirs = call(server, EMBARGO_QUERY, "POST", "/v1/search", json={**narrow, "collection": "embargo"}).json()
    assert any("Calder" in p["text"] for p in theirs["passages"])
    ours = call(server, NEWSROOM_QUERY, "POST", "/v1/search", json={**narrow, "collection": "newsroom"}).json()
    assert ours["passages"]
    assert_nothing_of_embargo(ours, asked=TAKEOVER)
    dated = call(server, NEWSROOM_QUERY, "POST", "/v1/ask",
                 json={"question": TAKEOVER, "as_of": "2024-03-06", "collection": "newsroom"}).json()
    assert_nothing_of_embargo(dated, asked=TAKEOVER)


def test_feeds_of_another_collection_cannot_be_seen_or_removed(server: LiveServer) -> None:
    made = call(server, OPERATOR, "POST", "/v1/feeds",
                json={"url": "https://wire.example/rss", "collection": "embargo"})
    assert made.status_code == 201 and made.json()["collection"] == "embargo"
    feed_id = made.json()["feed_id"]
    ours = call(server, NEWSROOM_ADMIN, "POST", "/v1/feeds",
                json={"url": "https://wire.example/rss", "collection": "newsroom"})
    assert ours.status_code == 201 and ours.json()["feed_id"] != feed_id
    listed = call(server, NEWSROOM_ADMIN, "GET", "/v1/feeds").json()["feeds"]
    assert [f["collection"] for f in listed] == ["newsroom"]
    assert call(server, NEWSROOM_ADMIN, "GET", f"/v1/feeds/{feed_id}").status_code == 404
    assert call(server, NEWSROOM_ADMIN, "DELETE", f"/v1/feeds/{feed_id}").status_code == 404
    assert_unknown(call(server, NEWSROOM_ADMIN, "GET", "/v1/feeds", params={"collection": "embargo"}), "embargo")
    assert_unknown(call(server, NEWSROOM_ADMIN, "POST", "/v1/feeds",
                        json={"url": "https://wire.example/other", "collection": "embargo"}), "embargo")
    assert call(server, OPERATOR, "GET", f"/v1/feeds/{feed_id}").status_code == 200


def test_a_widget_key_is_bound_to_its_origins_and_its_collections(server: LiveServer) -> None:
    from_site = {"Origin": SITE}
    own = call(server, WIDGET, "POST", "/v1/ask", headers=from_site,
               json={"question": TAKEOVER, "collection": "newsroom", "stream": True})
    assert own.status_code == 200 and own.headers["access-control-allow-origin"] == SITE
    assert_nothing_of_embargo(own.text, asked=TAKEOVER)
    other = call(server, WIDGET, "POST", "/v1/ask", headers=from_site,
                 json={"question": TAKEOVER, "collection": "embargo", "stream": True})
    assert_unknown(other, "embargo")
    assert other.headers["access-control-allow-origin"] == SITE, "the widget can read why"
    elsewhere = call(server, WIDGET, "POST", "/v1/ask", headers={"Origin": "https://elsewhere.example"},
                     json={"question": TAKEOVER, "collection": "newsroom"})
    assert elsewhere.status_code == 403


def test_made_up_names_never_become_metric_labels(server: LiveServer) -> None:
    call(server, NEWSROOM_QUERY, "POST", "/v1/search", json={"query": TAKEOVER, "collection": "made-up-desk"})
    call(server, NEWSROOM_QUERY, "POST", "/v1/search", json={"query": TAKEOVER, "collection": "embargo"})
    call(server, NEWSROOM_QUERY, "POST", "/v1/search", json={"query": TAKEOVER, "collection": "newsroom"})
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'collection="newsroom"' in metrics and "made-up-desk" not in metrics
    refused = [line for line in metrics.splitlines()
               if line.startswith("newsqa_http_requests_total") and 'status="404"' in line and "/v1/search" in line]
    assert refused and all('collection=""' in line for line in refused)


def test_deleting_a_collection_over_http_leaves_the_others(server: LiveServer, components: Components) -> None:
    assert call(server, OPERATOR, "POST", "/v1/collections", json={"name": "scratch"}).status_code == 201
    assert call(server, OPERATOR, "POST", "/v1/collections", json={"name": "scratch"}).status_code == 409
    assert call(server, OPERATOR, "POST", "/v1/collections", json={"name": "Bad Name"}).status_code == 422
    added = call(server, OPERATOR, "POST", "/v1/documents",
                 json={"collection": "scratch", "articles": [{"title": "Tide", "text": "High tide came at dawn."}]})
    assert len(added.json()["added"]) == 1
    assert call(server, OPERATOR, "DELETE", "/v1/collections/default").status_code == 409
    assert call(server, OPERATOR, "DELETE", "/v1/collections/scratch").json() == {"deleted": "scratch"}
    assert_unknown(call(server, OPERATOR, "GET", "/v1/documents", params={"collection": "scratch"}), "scratch")
    assert components.corpus("newsroom").catalog.count() == 3 and components.corpus("embargo").catalog.count() == 2


@pytest.mark.parametrize("route", ["search", "stream"])
def test_a_collection_deleted_while_a_request_reads_it_answers_as_missing(
        server: LiveServer, components: Components, monkeypatch: pytest.MonkeyPatch, route: str) -> None:
    name = f"brief-{route}"
    assert call(server, OPERATOR, "POST", "/v1/collections", json={"name": name}).status_code == 201
    call(server, OPERATOR, "POST", "/v1/documents",
         json={"collection": name, "articles": [{"title": "Tide", "text": "High tide came at dawn."}]})
    retriever = components.corpus(name).retriever
    search = retriever.search

    def deleted_first(*args: Any, **kwargs: Any) -> Any:
        components.corpora.delete(name)
        return search(*args, **kwargs)

    monkeypatch.setattr(retriever, "search", deleted_first)
    question = "When was high tide?"
    if route == "search":
        assert_unknown(call(server, OPERATOR, "POST", "/v1/search",
                            json={"query": question, "collection": name}), name)
        return
    streamed = call(server, OPERATOR, "POST", "/v1/ask", json={"question": question, "collection": name,
                                                               "stream": True})
    error = [json.loads(line[6:]) for line in streamed.text.splitlines() if line.startswith("data: ")][-1]
    assert error == {"status": 404, "detail": f"no collection '{name}'"}

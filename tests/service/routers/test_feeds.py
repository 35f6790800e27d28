"""``/v1/feeds``: admin-only, precise 4xx for bad input, nothing stored from a refused request."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.app import create_app
from service.assembly import Components

ADMIN_KEY, QUERY_KEY = "k-ops-3f9a1c7e5b2d4086", "k-reader-8e2b6d0a4c1f9375"


def _client(components: Components) -> TestClient:
    keyed = Components(components.settings.model_copy(update={
        "api_keys": SecretStr(json.dumps({ADMIN_KEY: ["admin", "query"], QUERY_KEY: ["query"]}))}))
    keyed.embedder = components.embedder
    return TestClient(create_app(keyed), headers={"Authorization": f"Bearer {ADMIN_KEY}"})


def test_add_list_read_and_remove_a_feed(components: Components) -> None:
    client = _client(components)
    added = client.post("/v1/feeds", json={"url": "https://harbor.example/rss.xml", "every": "30m",
                                           "source": "Harbor Ledger"})
    assert added.status_code == 201, added.text
    feed = added.json()
    assert (feed["every_s"], feed["source"], feed["last_status"]) == (1800, "Harbor Ledger", None)
    again = client.post("/v1/feeds", json={"url": "https://harbor.example/rss.xml", "every": "2h"})
    assert again.status_code == 200 and again.json()["every_s"] == 7200
    assert [f["feed_id"] for f in client.get("/v1/feeds").json()["feeds"]] == [feed["feed_id"]]
    assert client.get(f"/v1/feeds/{feed['feed_id']}").json()["url"] == "https://harbor.example/rss.xml"
    default = client.post("/v1/feeds", json={"url": "https://metro.example/atom"}).json()
    assert default["every_s"] == components.settings.feed_interval_s
    assert client.delete(f"/v1/feeds/{feed['feed_id']}").json() == {"removed": feed["feed_id"]}
    for method in ("get", "delete"):
        missing = getattr(client, method)(f"/v1/feeds/{feed['feed_id']}")
        assert missing.status_code == 404 and feed["feed_id"] in missing.json()["detail"]


def test_bad_feeds_get_precise_errors_and_nothing_is_stored(components: Components) -> None:
    client = _client(components)
    cases = [({"url": "ftp://harbor.example/rss"}, "not an http(s) URL"),
             ({"url": "https:///rss"}, "names no host"),
             ({"url": "https://harbor.example/rss", "every": "often"}, "'often' is not an interval"),
             ({"url": "https://harbor.example/rss", "every": "5s"}, "shorter than the shortest interval, 1m"),
             ({"url": "https://harbor.example/rss", "every": 900}, "string_type"),
             ({"url": "https://harbor.example/rss", "interval": "15m"}, "extra_forbidden"),
             ({"url": "   "}, "must not be empty")]
    for body, expected in cases:
        response = client.post("/v1/feeds", json=body)
        assert response.status_code == 422 and expected in response.text, (body, response.text)
    assert client.get("/v1/feeds").json() == {"feeds": []}


def test_feeds_need_the_admin_scope(components: Components) -> None:
    client = _client(components)
    reader = {"Authorization": f"Bearer {QUERY_KEY}"}
    assert client.get("/v1/feeds", headers=reader).status_code == 403
    assert client.post("/v1/feeds", json={"url": "https://harbor.example/rss"}, headers=reader).status_code == 403
    assert client.get("/v1/feeds", headers={"Authorization": ""}).status_code == 401

"""The documentation pages' own files: served from the installed package, nothing else by
that route, and pages that may load nothing from another host (the browser test shows that
they render)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components
from service.settings import Settings


def _client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(Components(Settings(data_dir=tmp_path / "data", _env_file=None))))


def test_pages_point_at_this_hosts_assets_and_forbid_other_hosts(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for page, script in (("/docs", "/docs-assets/swagger-ui-bundle.js"),
                         ("/redoc", "/docs-assets/redoc.standalone.js")):
        served = client.get(page)
        assert served.status_code == 200 and f'src="{script}"' in served.text
        assert "cdn." not in served.text and "fonts.googleapis" not in served.text
        assert "default-src 'self'" in served.headers["content-security-policy"]
        asset = client.get(script)
        assert asset.status_code == 200 and len(asset.content) > 500_000
        assert "javascript" in asset.headers["content-type"]


def test_only_the_listed_assets_are_served(tmp_path: Path) -> None:
    client = _client(tmp_path)
    assert client.get("/docs-assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    missing = client.get("/docs-assets/core.py")
    assert missing.status_code == 404 and "no documentation asset 'core.py'" in missing.json()["detail"]
    assert client.get("/docs-assets/..%2F..%2F__init__.py").status_code == 404

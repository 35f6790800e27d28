import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.url import detect_kind, fetch, load_url

FIXTURES = Path(__file__).parent / "fixtures"
LIMIT = 64 * 1024
ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/news/ferry": (200, "text/html; charset=utf-8", (FIXTURES / "page.html").read_bytes()),
    "/feed": (200, "application/rss+xml", (FIXTURES / "rss.xml").read_bytes()),
    "/mislabelled-feed": (200, "text/html", (FIXTURES / "atom.xml").read_bytes()),
    "/export": (200, "text/plain", (FIXTURES / "articles.jsonl").read_bytes()),
    "/story.txt": (200, "text/plain; charset=utf-8", (FIXTURES / "seed_article.txt").read_bytes()),
    "/report.pdf": (200, "application/pdf", b"%PDF-1.7 not really"),
    "/scripted-feed": (200, "application/rss+xml",
                       b'<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>'
                       b"<item><title>Choir wins</title><link>javascript:alert(1)</link>"
                       b"<description>The choir won the regional final.</description></item>"
                       b"</channel></rss>"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        if self.path == "/old-ferry":
            self.send_response(301)
            self.send_header("Location", "/news/ferry")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(LIMIT // 1024 + 10):
                self.wfile.write(b"x" * 1024)
        elif self.path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
            self.end_headers()
        elif self.path in ROUTES:
            status, content_type, body = ROUTES[self.path]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def load(url: str, timeout_s: float = 5.0) -> list[Article | LoadFailure]:
    return list(load_url(url, timeout_s=timeout_s, max_bytes=LIMIT, user_agent="newsqa-test"))


def test_html_page_gets_the_final_url_after_redirect(server: str) -> None:
    (article,) = load(f"{server}/old-ferry")
    assert isinstance(article, Article)
    assert article.title == "Ferry strike ends after pay deal"
    assert article.url == f"{server}/news/ferry"
    assert article.origin == f"{server}/old-ferry"
    assert "Subscribe" not in article.text


def test_rss_feed(server: str) -> None:
    results = load(f"{server}/feed")
    assert [a.url for a in results if isinstance(a, Article)] == [
        "https://gazette.example/news/cable-car", "https://gazette.example/news/choir",
    ]
    assert results[0].origin == f"{server}/feed#1"


def test_a_feed_entry_linking_to_a_script_gets_no_url(server: str) -> None:
    (article,) = load(f"{server}/scripted-feed")
    assert isinstance(article, Article)
    assert article.url is None and article.origin == f"{server}/scripted-feed#1"


def test_feed_served_as_html_is_still_a_feed(server: str) -> None:
    results = load(f"{server}/mislabelled-feed")
    assert [a.published for a in results if isinstance(a, Article)] == ["2024-12-01", "2024-12-02"]


def test_json_lines_served_as_plain_text(server: str) -> None:
    results = load(f"{server}/export")
    assert [r.origin for r in results if isinstance(r, LoadFailure)] == [
        f"{server}/export:3", f"{server}/export:5",
    ]


def test_plain_text_story(server: str) -> None:
    (article,) = load(f"{server}/story.txt")
    assert isinstance(article, Article) and article.published == "2024-11-03"


def test_http_404(server: str) -> None:
    with pytest.raises(LoadError, match="^HTTP 404 Not Found$"):
        load(f"{server}/no-such-page")


def test_body_over_the_limit_while_streaming(server: str) -> None:
    with pytest.raises(LoadError, match=r"^response is over the 64 KB limit$"):
        load(f"{server}/huge")


def test_declared_length_over_the_limit(server: str) -> None:
    with pytest.raises(LoadError, match=r"^response is 50\.0 MB, over the 64 KB limit$"):
        load(f"{server}/huge-declared")


def test_timeout(server: str) -> None:
    with pytest.raises(LoadError, match=r"^timed out after 0\.5 s$"):
        load(f"{server}/slow", timeout_s=0.5)


def test_unsupported_content_type(server: str) -> None:
    with pytest.raises(LoadError, match="^unsupported content type 'application/pdf'"):
        load(f"{server}/report.pdf")


def test_unreachable_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(LoadError, match=rf"^could not connect to host: 127\.0\.0\.1:{port} "
                                        r"\(connection refused\)$"):
        load(f"http://127.0.0.1:{port}/")


def test_not_an_http_url() -> None:
    with pytest.raises(LoadError, match="^not a valid http\\(s\\) URL"):
        fetch("ftp://example.com/x", timeout_s=1, max_bytes=LIMIT, user_agent="t")


@pytest.mark.parametrize(
    ("content_type", "data", "kind"),
    [
        ("text/html", b"<?xml version='1.0'?>\n<rss version='2.0'>", "feed"),
        (None, b"<!-- generated -->\n<!DOCTYPE html><html>", "html"),
        ("application/octet-stream", b"<html><body>", "html"),
        ("text/plain", b'[{"text": "a"}]', "json"),
        (None, b'{"text": "a",\n "title": "b"}', "json"),
        (None, b'{"text": "a"}\n{"text": "b"}\n', "jsonl"),
        ("application/json", b'{"text": "a"}', "json"),
        ("text/markdown", b"[a link](x) first", "markdown"),
        (None, b"date 2024-01-01 Headline", "text"),
        ("text/csv", b"a,b", "text"),
    ],
)
def test_detect_kind(content_type: str | None, data: bytes, kind: str) -> None:
    assert detect_kind(content_type, data) == kind


def test_detect_kind_rejects_binary() -> None:
    with pytest.raises(LoadError, match="binary content"):
        detect_kind(None, b"GIF89a\x00\x01")

"""A local HTTP server whose feed a test rewrites between polls: entries, status, delay,
size and validators are what the test last set, so every case (a new entry, an edit, a
304, a 500, a slow or huge answer, broken XML) is played against real HTTP."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from xml.sax.saxutils import escape


@dataclass
class Entry:
    guid: str
    title: str
    text: str = ""
    summary: str = ""
    link: str = ""
    published: str = "Mon, 02 Jun 2025 09:00:00 GMT"

    def xml(self) -> str:
        parts = [f"<guid>{escape(self.guid)}</guid>", f"<title>{escape(self.title)}</title>",
                 f"<pubDate>{self.published}</pubDate>"]
        if self.link:
            parts.append(f"<link>{escape(self.link)}</link>")
        if self.text:
            parts.append(f"<content:encoded>{escape(self.text)}</content:encoded>")
        if self.summary:
            parts.append(f"<description>{escape(self.summary)}</description>")
        return "<item>" + "".join(parts) + "</item>"


@dataclass
class Page:
    status: int = 200
    content_type: str = "application/rss+xml"
    body: bytes = b""
    delay_s: float = 0.0
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FeedSite:
    """What the server answers, path by path; ``requests`` logs each request's path and
    its ``If-None-Match`` and ``If-Modified-Since`` headers."""

    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set_feed(self, path: str, entries: list[Entry], *, title: str = "Harbor Wire",
                 etag: str | None = None, last_modified: str | None = None) -> None:
        items = "".join(e.xml() for e in entries)
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                f"<channel><title>{escape(title)}</title><link>https://harbor.example/</link>"
                f"<description>news</description>{items}</channel></rss>").encode()
        self.pages[path] = Page(body=body, etag=etag, last_modified=last_modified)

    def set_html(self, path: str, title: str, paragraphs: list[str]) -> None:
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        html = (f"<html><head><title>{escape(title)}</title></head><body><nav>Home | World</nav>"
                f"<article><h1>{escape(title)}</h1>{body}</article></body></html>")
        self.pages[path] = Page(content_type="text/html; charset=utf-8", body=html.encode())

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _, _ in self.requests]


def _handler(site: FeedSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
            with site.lock:
                site.requests.append((self.path, self.headers.get("If-None-Match"),
                                      self.headers.get("If-Modified-Since")))
            page = site.pages.get(self.path)
            if page is None:
                self.send_error(404, "Not Found")
                return
            time.sleep(page.delay_s)
            validators = {"ETag": page.etag, "Last-Modified": page.last_modified}
            unchanged = ((page.etag and self.headers.get("If-None-Match") == page.etag)
                         or (page.last_modified and self.headers.get("If-Modified-Since") == page.last_modified))
            self.send_response(304 if unchanged else page.status)
            for name, value in validators.items():
                if value:
                    self.send_header(name, value)
            if unchanged:
                self.end_headers()
                return
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            try:
                self.wfile.write(page.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout or a size cap), as the test wanted

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Keep test output quiet."""

    return Handler


def serve(site: FeedSite) -> Iterator[str]:
    """Serves ``site`` on a free loopback port while the generator is open; yields its URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()

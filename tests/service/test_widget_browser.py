"""The chat widget in headless Chromium.

Answers, refusals and outages run against the real service (sample corpus in real Chroma,
extractive answers) on a real port. Responses the sample service cannot produce on demand
(401, 403, 429, a cut stream, slow tokens, hostile article text) come from a small stub app
that serves the same widget. Screenshots of each state go to ``test-output/widget/``.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from playwright.sync_api import Page, expect

from service.app import create_app
from service.assembly import Components
from service.routers import widget
from service.settings import PROJECT_ROOT
from tests.browser import needs_chromium
from tests.conftest import LiveServer

SHOTS = PROJECT_ROOT / "test-output" / "widget"
ANSWER_TIMEOUT_MS = 60_000
KETTLES = "How many kettles did Brightwell recall?"
KETTLE_URL = "https://example-news.test/press/brightwell-steampro-kettle-recall"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def service(sample_components: Components) -> Iterator[LiveServer]:
    with LiveServer(create_app(sample_components)) as live:
        yield live


# --- a stub service for the responses the sample corpus cannot produce on demand ---------

def _sse(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n"


def _citation(n: int, title: str, url: str, quote: str, source: str | None = "Stub Wire") -> dict[str, Any]:
    return {"n": n, "doc_id": f"doc-{n}", "title": title, "url": url, "source": source,
            "published": "2025-06-03", "quote": quote, "start": 0, "end": len(quote), "chunk_id": f"c{n}"}


def _answer(answer: str, citations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"answer": answer, "citations": citations, "refused": False, "closest_sources": [],
            "unsupported_sentences": [], "removed_markers": []}


HOSTILE = _answer("<b>Bold</b> claim [1]. Another claim <img src=x onerror=window.pwned=1> [2].", [
    _citation(1, '<img src=x onerror="window.pwned=2">', "javascript:window.pwned=3",
              "<svg onload=window.pwned=4></svg>", source="<script>window.pwned=5</script>"),
    _citation(2, "A plain title", "https://example-news.test/plain", "A plain quote.")])

FAILURES = {
    "unauthorised": (401, {"detail": "invalid API key"}, {}),
    "forbidden": (403, {"detail": "this key may not be used from this site"}, {}),
    "busy": (429, {"detail": "rate limit exceeded"}, {"Retry-After": "42"}),
    "down": (503, {"detail": "a backing service (vector store or language model) is unreachable"},
             {"Retry-After": "5"}),
}

EMBED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>A news site</title></head>
<body><h1>A news site</h1><p>Some article text.</p>
<script src="/widget.js" data-endpoint="/" data-key="demo-key" data-title="Newsroom answers"
        data-theme-color="#7a1f5c" data-position="bottom-left"></script></body></html>"""


async def _events(question: str) -> AsyncIterator[str]:
    yield _sse("passages", {"standalone_question": question, "passages": []})
    if question == "interrupted":
        yield _sse("token", {"text": "Half an "})
        yield _sse("error", {"status": 503, "detail": "the language model failed: APITimeoutError"})
        return
    if question == "hostile":
        yield _sse("citations", HOSTILE)
    elif question == "no source":
        yield _sse("citations", _answer("Four cranes arrived [1].", [
            _citation(1, "Harbour cranes arrive", "https://www.harbour.example/cranes", "Four cranes arrived.",
                      source=None)]))
    elif question == "slow":
        for piece in ("Brightwell ", "recalled ", "about ", "48,000 ", "kettles."):
            await asyncio.sleep(0.4)
            yield _sse("token", {"text": piece})
        await asyncio.sleep(1.5)
        yield _sse("citations", _answer("Brightwell recalled about 48,000 kettles [1].", [
            _citation(1, "Brightwell recalls kettles", KETTLE_URL, "a voluntary recall of about 48,000 kettles")]))
    else:
        yield _sse("token", {"text": "Stub answer."})
        yield _sse("citations", _answer(f"Stub answer to: {question} [1].", [
            _citation(1, "Stub article", "https://example-news.test/stub", "Stub quote.")]))
    yield _sse("done", {"timings_ms": {}})


def _stub_app(received: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()
    app.include_router(widget.router)

    @app.get("/embed")
    def embed() -> HTMLResponse:
        return HTMLResponse(EMBED_PAGE)

    @app.post("/v1/ask")
    async def ask(request: Request) -> Response:
        body = await request.json()
        received.append({"authorization": request.headers.get("authorization"), **body})
        if body["question"] in FAILURES:
            status, detail, headers = FAILURES[body["question"]]
            return JSONResponse(detail, status_code=status, headers=headers)
        return StreamingResponse(_events(body["question"]), media_type="text/event-stream")

    return app


@pytest.fixture(scope="module")
def stub() -> Iterator[tuple[LiveServer, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    with LiveServer(_stub_app(received)) as live:
        yield live, received


# --- helpers ------------------------------------------------------------------------------

def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _ask(page: Page, question: str) -> None:
    box = page.get_by_role("textbox", name="Your question")
    box.fill(question)
    box.press("Enter")


def _replies(page: Page) -> Any:
    return page.locator("newsqa-chat .msg:not(.user)")


def _wait_for_replies(page: Page, count: int) -> None:
    expect(page.locator("newsqa-chat .msg:not(.user):not(.pending)")).to_have_count(count, timeout=ANSWER_TIMEOUT_MS)


def _focused_id(page: Page) -> str | None:
    return page.evaluate("document.querySelector('newsqa-chat').shadowRoot.activeElement?.id ?? null")


def _input_is_usable(page: Page) -> None:
    box = page.get_by_role("textbox", name="Your question")
    expect(box).to_be_enabled()
    assert _focused_id(page) == "question"


# --- against the real service -------------------------------------------------------------

def test_answer_streams_in_with_citation_links_and_quoted_sources(page: Page, service: LiveServer) -> None:
    direct = httpx.post(f"{service.url}/v1/ask", json={"question": KETTLES}, timeout=60).json()
    cited_urls = {c["url"] for c in direct["citations"]}
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{service.url}/")
    page.get_by_role("button", name=KETTLES).click()

    _wait_for_replies(page, 1)
    answer = _replies(page).first
    expect(answer).to_contain_text("48,000")
    expect(answer).not_to_have_class("refused")
    link = answer.locator("sup a.cite").first
    expect(link).to_have_attribute("href", "#src-1-1")
    source = answer.locator("#src-1-1")
    title = source.locator("a.title")
    assert title.get_attribute("href") in cited_urls and KETTLE_URL in cited_urls
    assert title.get_attribute("href") == KETTLE_URL
    expect(title).to_have_attribute("target", "_blank")
    assert "noopener" in (title.get_attribute("rel") or "")
    expect(source.locator(".meta")).to_contain_text("Brightwell Home Products")
    expect(source.locator("time")).to_have_attribute("datetime", "2025-06-03")
    expect(source.locator("details")).not_to_have_attribute("open", "")

    link.click()
    expect(source.locator("details")).to_have_attribute("open", "")
    quote = next(c["quote"] for c in direct["citations"] if c["url"] == KETTLE_URL)
    expect(source.locator("blockquote")).to_have_text(quote)
    assert _focused_id(page) == "src-1-1"
    expect(page.locator("newsqa-chat [aria-live=polite]")).to_contain_text("48,000")
    assert all(url.startswith(service.url) for url in requests), requests
    _shot(page, "answer")


def test_follow_up_sends_the_conversation_and_survives_a_reload(page: Page, service: LiveServer) -> None:
    first = "Which company did Apple first choose as its AI partner in China?"
    page.goto(f"{service.url}/")
    _ask(page, first)
    _wait_for_replies(page, 1)
    expect(_replies(page).first).to_contain_text("Alibaba")

    with page.expect_request(lambda r: r.url.endswith("/v1/ask")) as sent:
        _ask(page, "And what about Baidu?")
    history = sent.value.post_data_json["history"]
    assert [turn["role"] for turn in history] == ["user", "assistant"]
    assert history[0]["content"] == first and "Alibaba" in history[1]["content"]
    assert "[1]" not in history[1]["content"]
    _wait_for_replies(page, 2)
    expect(_replies(page).nth(1)).to_contain_text("Baidu")

    page.reload()
    expect(page.locator("newsqa-chat .msg.user")).to_have_count(2)
    expect(_replies(page).nth(1).locator("sup a.cite").first).to_be_visible()
    _shot(page, "follow-up-restored")
    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator("newsqa-chat .msg")).to_have_count(0)
    assert page.evaluate("sessionStorage.length") == 0


def test_off_topic_question_is_refused_in_a_distinct_style(page: Page, service: LiveServer) -> None:
    page.goto(f"{service.url}/")
    _ask(page, "What is a good recipe for sourdough bread?")
    _wait_for_replies(page, 1)
    refusal = _replies(page).first
    expect(refusal).to_have_class("msg answer refused")
    # Readers get the plain sentence; the scores behind it stay in the API's refusal.detail.
    expect(refusal.locator("p.text")).to_have_text("The articles don't cover this.")
    expect(refusal).not_to_contain_text("minimum")
    expect(refusal).not_to_contain_text("score")
    expect(refusal.locator("h3")).to_have_text("Closest articles")
    closest = refusal.locator("ol.closest a.title")
    assert closest.count() >= 1
    assert closest.first.get_attribute("href", timeout=1000).startswith("https://")
    expect(refusal.locator("sup a.cite")).to_have_count(0)
    assert refusal.evaluate("el => getComputedStyle(el).borderStyle") == "dashed"
    expect(page.locator("newsqa-chat [aria-live=polite]")).to_contain_text("No answer found")
    _shot(page, "refusal")


def test_store_outage_shows_an_error_and_the_input_stays_usable(
        page: Page, service: LiveServer, sample_components: Components, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr(sample_components.corpus().vectors, "search", down)
    page.goto(f"{service.url}/")
    _ask(page, KETTLES)
    _wait_for_replies(page, 1)
    error = _replies(page).first
    expect(error).to_have_class("msg error")
    expect(error).to_contain_text("unreachable")
    expect(error.get_by_role("button", name="Try again")).to_be_visible()
    _input_is_usable(page)
    _shot(page, "outage")

    monkeypatch.undo()
    error.get_by_role("button", name="Try again").click()
    _wait_for_replies(page, 1)
    expect(_replies(page).first).to_contain_text("48,000")


def test_fits_a_360px_screen(page: Page, service: LiveServer) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{service.url}/")
    page.get_by_role("button", name=KETTLES).click()
    _wait_for_replies(page, 1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for part in ("newsqa-chat .panel", "newsqa-chat .send", "newsqa-chat textarea", "newsqa-chat .source"):
        box = page.locator(part).first.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, (part, box)
    page.locator("newsqa-chat .panel").scroll_into_view_if_needed()
    _shot(page, "narrow-360")


# --- against the stub ---------------------------------------------------------------------

@pytest.mark.parametrize("question, message, retry", [
    ("unauthorised", "access key is missing or not valid (401)", False),
    ("forbidden", "not allowed to ask the news service (403): this key may not be used from this site", False),
    ("busy", "Too many questions right now. Please try again in 42 seconds.", True),
    ("down", "temporarily unavailable (a backing service (vector store or language model) is unreachable). "
             "Please try again in 5 seconds.", True),
    ("interrupted", "The answer was interrupted: the language model failed: APITimeoutError.", True),
    ("offline", "Could not reach the news service.", True),
], ids=["401", "403", "429", "503", "error-event", "network-down"])
def test_failures_explain_themselves_and_the_input_stays_usable(
        page: Page, stub: tuple[LiveServer, list[dict[str, Any]]], question: str, message: str, retry: bool) -> None:
    server, received = stub
    page.goto(f"{server.url}/")
    page.locator("newsqa-chat").evaluate("el => el.setAttribute('key', 'wrong-key')")
    if question == "offline":
        page.route("**/v1/ask", lambda route: route.abort())
    _ask(page, question)
    _wait_for_replies(page, 1)
    error = _replies(page).first
    expect(error).to_have_class("msg error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text(message)
    expect(error.get_by_role("button", name="Try again")).to_have_count(1 if retry else 0)
    expect(page.locator("newsqa-chat [aria-live=polite]")).to_contain_text(message)
    if question != "offline":
        assert received[-1]["authorization"] == "Bearer wrong-key"
    _input_is_usable(page)
    _shot(page, f"error-{question}")

    page.unroute("**/v1/ask")
    _ask(page, "hello")
    _wait_for_replies(page, 2)
    expect(_replies(page).nth(1)).to_contain_text("Stub answer to: hello")
    assert received[-1]["history"] == [], "failed exchanges are not part of the conversation"


def test_tokens_show_before_the_checked_answer_replaces_them(
        page: Page, stub: tuple[LiveServer, list[dict[str, Any]]]) -> None:
    server, _ = stub
    page.goto(f"{server.url}/")
    _ask(page, "slow")
    pending = page.locator("newsqa-chat .msg.answer.pending")
    expect(pending).to_contain_text("Brightwell recalled about", timeout=10_000)
    expect(pending.locator("sup")).to_have_count(0)
    expect(pending).to_have_attribute("aria-busy", "true")
    assert pending.locator(".dots span").first.evaluate("el => getComputedStyle(el).animationName") == "blink"
    _shot(page, "streaming")
    _wait_for_replies(page, 1)
    final = _replies(page).first
    expect(final.locator(".text")).to_have_text("Brightwell recalled about 48,000 kettles1.")
    expect(final.locator("sup a.cite")).to_have_count(1)


def test_an_article_without_a_source_is_named_by_its_site(
        page: Page, stub: tuple[LiveServer, list[dict[str, Any]]]) -> None:
    server, _ = stub
    page.goto(f"{server.url}/")
    _ask(page, "no source")
    _wait_for_replies(page, 1)
    meta = _replies(page).first.locator(".source .meta")
    expect(meta).to_have_text(re.compile(r"^harbour\.example · .*2025"))
    expect(meta).not_to_contain_text("null")


def test_stop_ends_an_answer_being_written(page: Page, stub: tuple[LiveServer, list[dict[str, Any]]]) -> None:
    server, received = stub
    page.goto(f"{server.url}/")
    _ask(page, "slow")
    expect(page.locator("newsqa-chat .msg.pending")).to_contain_text("Brightwell", timeout=10_000)
    page.get_by_role("button", name="Stop the answer").click()
    expect(_replies(page).first).to_contain_text("Stopped.")
    expect(page.get_by_role("button", name="Send question")).to_be_visible()
    _ask(page, "after stop")
    _wait_for_replies(page, 2)
    assert received[-1]["history"] == []


def test_untrusted_article_text_stays_text(page: Page, stub: tuple[LiveServer, list[dict[str, Any]]]) -> None:
    server, _ = stub
    page.goto(f"{server.url}/")
    _ask(page, "hostile")
    _wait_for_replies(page, 1)
    answer = _replies(page).first
    answer.locator("sup a.cite").first.click()
    expect(answer.locator(".text")).to_contain_text("<b>Bold</b> claim")
    expect(answer.locator("img, b, script, svg[onload]")).to_have_count(0)
    hostile = answer.locator("#src-1-1")
    expect(hostile.locator(".title")).to_have_text('<img src=x onerror="window.pwned=2">')
    expect(hostile.locator("a")).to_have_count(0)
    expect(hostile.locator("blockquote")).to_have_text("<svg onload=window.pwned=4></svg>")
    expect(answer.locator("#src-1-2 a.title")).to_have_attribute("href", "https://example-news.test/plain")
    assert page.evaluate("window.pwned") is None
    _shot(page, "untrusted")


def test_enter_sends_and_shift_enter_adds_a_line(page: Page, stub: tuple[LiveServer, list[dict[str, Any]]]) -> None:
    server, received = stub
    page.goto(f"{server.url}/")
    box = page.get_by_role("textbox", name="Your question")
    box.click()
    box.type("first line")
    box.press("Shift+Enter")
    box.type("second line")
    expect(box).to_have_value("first line\nsecond line")
    expect(page.locator("newsqa-chat .msg")).to_have_count(0)
    box.press("Enter")
    expect(page.locator("newsqa-chat .msg.user")).to_have_text("first line\nsecond line")
    expect(box).to_have_value("")
    assert _focused_id(page) == "question"
    _wait_for_replies(page, 1)
    assert received[-1]["question"] == "first line\nsecond line"

    box.fill("sent with the button")
    page.get_by_role("button", name="Send question").click()
    _wait_for_replies(page, 2)
    assert _focused_id(page) == "question"
    assert received[-1]["history"][0] == {"role": "user", "content": "first line\nsecond line"}


def test_controls_are_labelled_and_motion_can_be_reduced(
        page: Page, stub: tuple[LiveServer, list[dict[str, Any]]]) -> None:
    server, _ = stub
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{server.url}/")
    expect(page.get_by_role("textbox", name="Your question")).to_be_visible()
    expect(page.get_by_role("button", name="Send question")).to_be_visible()
    expect(page.get_by_role("region", name="Conversation")).to_be_visible()
    expect(page.locator("newsqa-chat [aria-live=polite]")).to_have_count(1)
    _ask(page, "slow")
    dots = page.locator("newsqa-chat .msg.pending .dots span").first
    expect(dots).to_be_attached()
    assert dots.evaluate("el => getComputedStyle(el).animationName") == "none"
    _wait_for_replies(page, 1)
    expect(page.locator("newsqa-chat [aria-live=polite]")).to_contain_text("Answer: Brightwell recalled about 48,000")


def test_one_script_tag_embeds_a_floating_widget(page: Page, stub: tuple[LiveServer, list[dict[str, Any]]]) -> None:
    server, received = stub
    page.set_viewport_size({"width": 1024, "height": 700})
    page.goto(f"{server.url}/embed")
    launcher = page.get_by_role("button", name="Newsroom answers")
    expect(launcher).to_be_visible()
    box = launcher.bounding_box()
    assert box and box["x"] < 100 and box["y"] > 600, box
    assert launcher.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(122, 31, 92)"
    expect(page.get_by_role("dialog", name="Newsroom answers")).to_be_hidden()

    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("dialog", name="Newsroom answers")).to_be_visible()
    assert _focused_id(page) == "question"
    _ask(page, "hello")
    _wait_for_replies(page, 1)
    assert received[-1]["authorization"] == "Bearer demo-key"
    _shot(page, "floating")

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Newsroom answers")).to_be_hidden()
    assert page.evaluate("document.querySelector('newsqa-chat').shadowRoot.activeElement?.className") == "launcher"

    page.set_viewport_size({"width": 360, "height": 740})
    launcher.click()
    panel = page.locator("newsqa-chat .panel").bounding_box()
    assert panel and panel["x"] == 0 and panel["width"] == 360, panel
    _shot(page, "floating-360")

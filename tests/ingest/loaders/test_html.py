from pathlib import Path

import pytest

from ingest.article import Article, LoadError
from ingest.loaders.html import decode_html, html_to_text, parse_html

FIXTURES = Path(__file__).parent / "fixtures"
PARAGRAPH = ("The committee met for three hours and agreed to publish the full report on the "
             "reservoir survey next month, after the engineers have reviewed the figures.")


def only_article(html: str, url: str | None = None) -> Article:
    results = list(parse_html(html, "page.html", url=url))
    assert len(results) == 1
    assert isinstance(results[0], Article)
    return results[0]


def test_article_text_without_boilerplate_and_meta_tags() -> None:
    article = only_article((FIXTURES / "page.html").read_text("utf-8"))
    assert article.title == "Ferry strike ends after pay deal"
    assert article.author == "Grace Okafor"
    assert article.source == "Harbour Herald"
    assert article.published == "2024-09-21"
    assert article.origin == "page.html"
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Crews on the island ferry routes returned to work")
    for boilerplate in ("Front page", "Sport results", "Subscribe", "Copyright", "Privacy"):
        assert boilerplate not in article.text


def test_fetched_url_is_kept() -> None:
    html = (FIXTURES / "page.html").read_text("utf-8")
    article = only_article(html, url="https://herald.example/ferry")
    assert article.url == "https://herald.example/ferry"


def test_fallback_meta_tags_and_time_element() -> None:
    html = f"""<html><head><title>Survey report delayed</title>
    <link rel="canonical" href="https://paper.example/survey"></head>
    <body><article><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>
    <p>Posted <time datetime="2023-07-14T18:00:00Z">Friday</time></p></article></body></html>"""
    article = only_article(html)
    assert article.title == "Survey report delayed"
    assert article.published == "2023-07-14"
    assert article.url == "https://paper.example/survey"


def test_dates_mentioned_in_the_text_are_not_taken_as_publication_date() -> None:
    html = f"""<html><head><title>Bridge history</title></head><body><article>
    <p>The bridge opened on 3 March 1998 and was repaired on January 5, 2011.</p>
    <p>{PARAGRAPH}</p></article></body></html>"""
    assert only_article(html).published is None


def test_page_without_text_is_rejected() -> None:
    with pytest.raises(LoadError, match="no article text found in HTML page"):
        list(parse_html("<html><head><title>Empty</title></head><body></body></html>", "e.html"))


def test_decode_html_prefers_http_charset_then_meta_then_utf8() -> None:
    latin = "<html><head><meta charset='iso-8859-1'></head><body>café</body></html>"
    assert "café" in decode_html(latin.encode("latin-1"), None)
    assert "café" in decode_html("<p>café</p>".encode("cp1252"), "windows-1252")
    assert "café" in decode_html("<p>café</p>".encode("utf-8"), None)
    assert "café" in decode_html("<p>café</p>".encode("cp1252"), None)
    assert "café" in decode_html("<p>café</p>".encode("utf-8"), "no-such-charset")
    assert decode_html("\ufeff<p>x</p>".encode("utf-8"), "latin-1") == "<p>x</p>"


def test_decode_html_http_equiv_meta() -> None:
    html = ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            "<p>Москва</p>").encode("cp1251")
    assert "Москва" in decode_html(html, None)


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    fragment = """<p>First  paragraph
    continues here.</p><script>alert(1)</script><ul><li>one</li><li>two</li></ul>Tail<br>line"""
    assert html_to_text(fragment) == (
        "First paragraph continues here.\n\none\n\ntwo\n\nTail\nline"
    )
    assert html_to_text("Plain summary &amp; more") == "Plain summary & more"
    assert html_to_text("  ") == ""


def test_a_link_that_is_not_a_web_address_is_passed_over() -> None:
    head = ('<link rel="canonical" href="javascript:alert(document.cookie)">'
            '<meta property="og:url" content="https://paper.example/survey">')
    html = f"<html><head><title>Survey</title>{head}</head><body><article><p>{PARAGRAPH}</p></article></body></html>"
    assert only_article(html).url == "https://paper.example/survey"
    only_script = html.replace("https://paper.example/survey", "mailto:desk@paper.example")
    assert only_article(only_script).url is None

"""An article's URL is a web address or nothing, whichever loader made the article."""

from __future__ import annotations

import pytest

from ingest.article import Article, web_url


@pytest.mark.parametrize("url", [
    "javascript:alert(document.cookie)", " JavaScript:void(0)", "mailto:desk@paper.example",
    "data:text/html,<script>alert(1)</script>", "ftp://files.example/a.txt", "/news/local/story",
    "https://", "http://[broken", "", "   ",
])
def test_what_is_not_a_web_address_is_no_url(url: str) -> None:
    assert web_url(url) is None
    article = Article(title="Quay repaired", text="The quay was repaired.", url=url)
    assert article.url is None
    assert article.identity().startswith("sha256:")


def test_web_addresses_are_kept() -> None:
    assert web_url(" HTTPS://Paper.example/quay ") == "HTTPS://Paper.example/quay"
    article = Article(title="Quay repaired", text="The quay was repaired.",
                      url="http://paper.example/quay?utm_source=x")
    assert article.identity() == "http://paper.example/quay"

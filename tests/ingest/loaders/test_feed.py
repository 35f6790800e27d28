from pathlib import Path

import pytest

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.feed import parse_feed

FIXTURES = Path(__file__).parent / "fixtures"


def articles(name: str) -> list[Article]:
    results = list(parse_feed((FIXTURES / name).read_bytes(), name))
    assert all(isinstance(r, Article) for r in results)
    return [r for r in results if isinstance(r, Article)]


def test_rss2_entries() -> None:
    first, second = articles("rss.xml")
    assert first.title == "Cable car closed for inspection"
    assert first.url == "https://gazette.example/news/cable-car"
    assert first.id == "gazette-2231"
    assert first.published == "2024-10-15"
    assert first.author == "Marek Novak"
    assert first.source == "Hillside Gazette"
    assert first.text == ("The hillside cable car will be closed for a week.\n\n"
                          "Engineers are checking the main cable.")
    assert first.origin == "rss.xml#1"
    assert second.url == "https://gazette.example/news/choir"
    assert second.id is None
    assert second.published == "2024-10-17"
    assert second.text.startswith("The primary school choir has qualified")


def test_atom_entries() -> None:
    first, second = articles("atom.xml")
    assert first.title == "Seal pups counted on the sandbank"
    assert first.url == "https://coastline.example/seals"
    assert first.id == "urn:uuid:7d1c0f4e-0000-4000-8000-000000000002"
    assert first.published == "2024-12-01"
    assert first.author == "Ines Duarte"
    assert first.source == "Coastline Weekly"
    assert first.text == ("Volunteers counted 214 seal pups on the outer sandbank.\n\n"
                          "That is the highest count in a decade.")
    assert second.url == "https://coastline.example/harbour-wall"
    assert second.published == "2024-12-02"
    assert second.text == ("Repairs to the storm-damaged harbour wall were completed "
                           "ahead of schedule.")


def test_entry_without_text_is_a_failure() -> None:
    feed = b"""<rss version="2.0"><channel><title>T</title>
    <item><title>Only a title</title><link>https://x.example/a</link></item>
    <item><title>Has text</title><description>Some text.</description></item>
    </channel></rss>"""
    results = list(parse_feed(feed, "f.rss"))
    assert results[0] == LoadFailure("f.rss#1", "entry has no content or summary")
    assert isinstance(results[1], Article) and results[1].published is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"plain words, no markup at all", "not a valid RSS/Atom feed: syntax error"),
        (b"<html><body><p>Hello</p></body></html>", "not a valid RSS/Atom feed: no <rss>"),
        (b'<rss version="2.0"><channel><title>T</title></channel></rss>', "feed has no entries"),
    ],
)
def test_whole_feed_errors(data: bytes, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        list(parse_feed(data, "f.xml"))


def test_an_entry_link_that_is_not_a_web_address_is_not_kept() -> None:
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>'
            b"<item><title>Choir wins</title><link>javascript:alert(1)</link>"
            b"<description>The choir won the regional final.</description></item>"
            b"</channel></rss>")
    (article,) = parse_feed(feed, "feed.xml")
    assert isinstance(article, Article)
    assert article.url is None and article.identity().startswith("sha256:")

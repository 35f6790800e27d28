"""A paragraph a site prints on many pages stays in the stored text but out of the chunks;
what the article says once stays in, with exact offsets."""

from __future__ import annotations

from ingest.article import Article
from ingest.boilerplate import REPEATED_ON_PAGES, boilerplate_spans, paragraphs, site_key
from ingest.chunking import Chunker
from service.assembly import Components

PLUG = "Get the Harbor Ledger morning newsletter. Sign up here to get the day's news in your inbox."


def words(texts: list[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def _page(i: int, plug: str = PLUG) -> Article:
    return Article(title=f"Ferry line {i} opens", id=f"ferry-{i}", source="Harbor Ledger",
                   url=f"https://harbor.example/ferry-{i}",
                   text=(f"The ferry line {i} carried {1000 + i} passengers on its first weekend.\n\n"
                         f"Officials said line {i} would add a night service in May.\n\n{plug}"))


def test_a_paragraph_is_boilerplate_once_enough_pages_of_the_site_hold_it() -> None:
    text = _page(1).text
    found = paragraphs(text)
    plug_key = next(k for k, spans in found.spans.items() if text[slice(*spans[0])] == PLUG)
    assert boilerplate_spans(found, {plug_key: REPEATED_ON_PAGES - 2}) == []
    spans = boilerplate_spans(found, {plug_key: REPEATED_ON_PAGES - 2}, pending=[frozenset({plug_key})])
    assert [text[s:e] for s, e in spans] == [PLUG]
    assert paragraphs(text.replace(PLUG, PLUG.upper().replace(" ", "  "))).keys == found.keys


def test_the_site_is_the_source_else_the_host() -> None:
    assert site_key("Harbor Ledger", "https://harbor.example/a") == "Harbor Ledger"
    assert site_key(None, "https://www.harbor.example/a") == "harbor.example"
    assert site_key(None, None) is None


def test_no_chunk_begins_ends_or_consists_of_a_left_out_paragraph() -> None:
    lead, tail = "The ferry line carried 1,000 passengers.", "Officials said it would add a night service."
    text = f"{PLUG}\n\n{lead}\n\n{PLUG}\n\n{tail}\n\n{PLUG}"
    leave_out = sorted(span for spans in paragraphs(text).spans.values() for span in spans
                       if text[slice(*span)] == PLUG)
    chunker = Chunker(words, max_tokens=60, target_tokens=60, overlap_tokens=0)
    (whole,) = chunker.split("Ferry", text, leave_out)
    assert whole.text == f"{lead}\n\n{PLUG}\n\n{tail}" and text[whole.start:whole.end] == whole.text
    # The plug's word pieces count: with room for the two sentences alone, they part.
    tight = Chunker(words, max_tokens=16, target_tokens=16, overlap_tokens=0).split("Ferry", text, leave_out)
    assert [c.text for c in tight] == [lead, tail]
    assert chunker.split("Ferry", PLUG, [(0, len(PLUG))]) == []


def test_the_site_chrome_leaves_the_index_as_its_pages_arrive(components: Components) -> None:
    pages = [_page(i) for i in range(REPEATED_ON_PAGES + 1)]
    components.corpus().indexer.ingest(pages[:2])  # committed: the catalog knows them
    components.corpus().indexer.ingest(pages[2:])  # one run: the later pages see the earlier ones
    chunk_text = {p.id: " ".join(c.text for c in components.catalog.chunks_of(p.id)) for p in pages}
    for page in pages[:REPEATED_ON_PAGES - 1]:
        assert "newsletter" in chunk_text[page.id]
    for page in pages[REPEATED_ON_PAGES - 1:]:
        assert "newsletter" not in chunk_text[page.id]
        assert "passengers" in chunk_text[page.id] and "night service" in chunk_text[page.id]
        assert components.catalog.get(page.id).text == page.text
    other_site = Article(title="Pier", id="pier", source="Port News", text=f"The pier reopened.\n\n{PLUG}")
    components.corpus().indexer.ingest([other_site])
    assert "newsletter" in " ".join(c.text for c in components.catalog.chunks_of("pier"))


def test_a_deleted_page_no_longer_counts_towards_its_site(components: Components) -> None:
    pages = [_page(i) for i in range(REPEATED_ON_PAGES)]
    components.corpus().indexer.ingest(pages[:-1])
    components.corpus().indexer.delete(pages[0].id)
    components.corpus().indexer.ingest(pages[-1:])
    assert "newsletter" in " ".join(c.text for c in components.catalog.chunks_of(pages[-1].id))


def test_a_page_of_nothing_but_chrome_is_kept_without_chunks(components: Components) -> None:
    """Its text stays in the catalog; the progress of the run still counts it whole."""
    chrome_only = Article(title="Newsletter", id="plug-only", source="Harbor Ledger",
                          url="https://harbor.example/newsletter", text=PLUG)
    done: list[float] = []
    report = components.corpus().indexer.ingest(
        [*(_page(i) for i in range(REPEATED_ON_PAGES)), chrome_only], progress=lambda p: done.append(p.documents))
    assert "plug-only" in report.added and not report.failed
    assert components.catalog.get("plug-only").n_chunks == 0
    assert round(sum(done), 6) == REPEATED_ON_PAGES + 1

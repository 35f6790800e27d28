"""Plain records passed between the stores, the indexer and the retriever."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentRecord:
    """An indexed article: clean text plus metadata; ``published`` is ISO or None."""

    doc_id: str
    content_hash: str
    title: str
    text: str
    url: str | None
    published: str | None
    source: str | None
    author: str | None
    origin: str
    n_chunks: int
    ingested_at: str
    date_source: str | None = None

    def metadata(self) -> dict[str, object]:
        """Everything but the text, as shown by listings and the API."""
        return {
            "id": self.doc_id, "title": self.title, "url": self.url, "published": self.published,
            "date_source": self.date_source, "source": self.source, "author": self.author, "origin": self.origin,
            "chunks": self.n_chunks, "ingested_at": self.ingested_at,
        }


@dataclass(frozen=True)
class ChunkRecord:
    """One chunk: a span of its document's clean text."""

    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str


# chunk id -> (doc id, start, end) of live chunks: where each chunk lies in its document.
Spans = dict[str, tuple[str, int, int]]


@dataclass(frozen=True)
class SearchFilters:
    """Filters every store applies inside its own query, before any top-k cut."""

    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    # Articles without a date that were ingested by this ISO day pass the date bounds too
    # (how ``as_of`` may treat them); None: none do.
    undated_until: str | None = None


def day_number(iso_date: str | None) -> int | None:
    """``2025-02-12`` -> ``20250212``: a number that sorts like the date, for range filters."""
    if not iso_date:
        return None
    return int(iso_date[:10].replace("-", ""))

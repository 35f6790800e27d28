"""Request bodies of the API; validation errors become precise 422 messages.

Types are strict: ``"top_k": "5"``, ``5.0`` or ``true`` and ``"stream": "yes"`` are 422s,
not guesses at what the client meant. Dates are the exception JSON forces: they come as
ISO strings (and only as strings; a number is not read as a Unix time).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Query
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag,
                      model_validator)
from pydantic_core import PydanticCustomError

from ingest.article import web_url
from ingest.store.collection_registry import NAME_PATTERN
from ingest.store.records import SearchFilters
from service import schema_examples as ex


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or whitespace")
    return value.strip()


NonBlank = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]


def _iso_text(value: object) -> object:
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "Input should be an ISO date string, e.g. 2025-01-31")
    return value


IsoDate = Annotated[date, Field(strict=False), BeforeValidator(_iso_text)]
CollectionName = Annotated[str, Field(pattern=f"^{NAME_PATTERN}$", max_length=40,
                                      description="A collection; default: the service's default collection.")]
# The same, as the query parameter of routes without a body.
CollectionParam = Annotated[str | None, Query(pattern=f"^{NAME_PATTERN}$", max_length=40,
                                              description="A collection; default: the service's default collection.")]


def strict(*examples: dict[str, object], extra: Literal["forbid", "ignore", "allow"] = "forbid") -> ConfigDict:
    """Strict types, unknown fields refused unless said otherwise, and the examples that
    ``/docs`` shows."""
    return ConfigDict(extra=extra, strict=True, json_schema_extra={"examples": list(examples)})


class Turn(BaseModel):
    model_config = strict(ex.TURN)
    role: Literal["user", "assistant"]
    content: str = Field(max_length=8000)


class Filters(BaseModel):
    model_config = strict(ex.FILTERS)
    sources: list[str] = Field(default_factory=list, max_length=50)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None

    @model_validator(mode="after")
    def ordered(self) -> "Filters":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self

    def to_search(self) -> SearchFilters:
        return SearchFilters(tuple(self.sources),
                             self.date_from.isoformat() if self.date_from else None,
                             self.date_to.isoformat() if self.date_to else None)


class SearchBody(BaseModel):
    model_config = strict(*ex.SEARCH)
    query: NonBlank
    collection: CollectionName | None = None
    filters: Filters = Field(default_factory=Filters)
    as_of: IsoDate | None = None
    top_k: int = Field(5, ge=1, le=50)
    prefer_recent: bool = False
    rerank: bool = True


class AskBody(BaseModel):
    model_config = strict(*ex.ASK)
    question: NonBlank
    collection: CollectionName | None = None
    history: list[Turn] = Field(default_factory=list, max_length=50)
    filters: Filters = Field(default_factory=Filters)
    as_of: IsoDate | None = None
    top_k: int = Field(5, ge=1, le=20)
    prefer_recent: bool = False
    rerank: bool = True
    stream: bool = False


def _web_url(value: str | None) -> str | None:
    if value is not None and web_url(value) is None:
        raise PydanticCustomError("url_scheme", "Input should be an http(s) address with a host")
    return value


class ArticleIn(BaseModel):
    model_config = strict(ex.ARTICLE)
    id: str | None = Field(None, max_length=1000)
    url: Annotated[str | None, Field(None, max_length=4000), AfterValidator(_web_url)]
    title: str = Field(min_length=1, max_length=1000)
    text: str = Field(min_length=1)
    published: IsoDate | None = None
    source: str | None = Field(None, max_length=300)
    author: str | None = Field(None, max_length=300)
    origin: str | None = Field(
        None, max_length=4000,
        description="Where the article was read from (a file, `export.jsonl:17`, a URL), named by failure reports and kept in the catalog; default `request#N`.")


class DocumentsBody(BaseModel):
    model_config = strict(*ex.DOCUMENTS)
    articles: list[ArticleIn] = Field(min_length=1, max_length=1000)
    collection: CollectionName | None = None


class TextPart(BaseModel):
    """One part of a message's content, as current OpenAI clients send it. The service
    reads text only: an image or audio part is a 422, not silently dropped."""

    model_config = strict(ex.TEXT_PART, extra="ignore")
    type: Literal["text"]
    text: str


def _content_kind(value: object) -> str | None:
    return "text" if isinstance(value, str) else "parts" if isinstance(value, list) else None


# Tagged by the JSON type, so that a bad part is reported alone, not beside "not a string".
Content = Annotated[Annotated[str, Tag("text")] | Annotated[list[TextPart], Tag("parts")],
                    Discriminator(_content_kind, custom_error_type="content_type",
                                  custom_error_message="Input should be a string or a list of text parts")]


class ChatMessage(BaseModel):
    model_config = strict(ex.USER_PARTS, extra="ignore")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: Content | None = None

    @property
    def text(self) -> str:
        """The content as one text; parts are joined by newlines."""
        if isinstance(self.content, list):
            return "\n".join(part.text for part in self.content)
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = strict({"include_usage": True}, extra="ignore")
    include_usage: bool = False


class ChatCompletionBody(BaseModel):
    """OpenAI's request shape; unknown OpenAI parameters are accepted and ignored. The model
    ``newsqa:NAME`` answers from collection NAME; any other name, from the default one."""

    model_config = strict(*ex.CHAT, extra="allow")
    model: str = "newsqa"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


class CollectionBody(BaseModel):
    model_config = strict(ex.COLLECTION)
    name: CollectionName


class FeedBody(BaseModel):
    """A feed to watch; ``every`` is an interval such as ``15m`` or ``2h`` (default
    ``NEWSQA_FEED_INTERVAL_S``), checked with the address when the feed is added."""

    model_config = strict(*ex.FEEDS)
    url: NonBlank = Field(max_length=2048)
    every: NonBlank | None = Field(None, max_length=32)
    source: NonBlank | None = Field(None, max_length=200)
    collection: CollectionName | None = None

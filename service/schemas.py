"""Request bodies of the API; validation errors become precise 422 messages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ingest.store.records import SearchFilters


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or whitespace")
    return value.strip()


NonBlank = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=8000)


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[str] = Field(default_factory=list, max_length=50)
    date_from: date | None = None
    date_to: date | None = None

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
    model_config = ConfigDict(extra="forbid")
    query: NonBlank
    filters: Filters = Field(default_factory=Filters)
    as_of: date | None = None
    top_k: int = Field(5, ge=1, le=50)
    prefer_recent: bool = False
    rerank: bool = True


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: NonBlank
    history: list[Turn] = Field(default_factory=list, max_length=50)
    filters: Filters = Field(default_factory=Filters)
    as_of: date | None = None
    top_k: int = Field(5, ge=1, le=20)
    prefer_recent: bool = False
    rerank: bool = True
    stream: bool = False


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=4000)
    title: str = Field(min_length=1, max_length=1000)
    text: str = Field(min_length=1)
    published: date | None = None
    source: str | None = Field(None, max_length=300)
    author: str | None = Field(None, max_length=300)


class DocumentsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[ArticleIn] = Field(min_length=1, max_length=1000)


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | None = None


class ChatCompletionBody(BaseModel):
    """OpenAI's request shape; unknown OpenAI parameters are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = "newsqa"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False

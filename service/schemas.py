"""Request bodies of the API; validation errors become precise 422 messages.

Types are strict: ``"top_k": "5"``, ``5.0`` or ``true`` and ``"stream": "yes"`` are 422s,
not guesses at what the client meant. Dates are the exception JSON forces: they come as
ISO strings (and only as strings; a number is not read as a Unix time).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ingest.store.records import SearchFilters


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
STRICT = ConfigDict(extra="forbid", strict=True)


class Turn(BaseModel):
    model_config = STRICT
    role: Literal["user", "assistant"]
    content: str = Field(max_length=8000)


class Filters(BaseModel):
    model_config = STRICT
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
    model_config = STRICT
    query: NonBlank
    filters: Filters = Field(default_factory=Filters)
    as_of: IsoDate | None = None
    top_k: int = Field(5, ge=1, le=50)
    prefer_recent: bool = False
    rerank: bool = True


class AskBody(BaseModel):
    model_config = STRICT
    question: NonBlank
    history: list[Turn] = Field(default_factory=list, max_length=50)
    filters: Filters = Field(default_factory=Filters)
    as_of: IsoDate | None = None
    top_k: int = Field(5, ge=1, le=20)
    prefer_recent: bool = False
    rerank: bool = True
    stream: bool = False


class ArticleIn(BaseModel):
    model_config = STRICT
    id: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=4000)
    title: str = Field(min_length=1, max_length=1000)
    text: str = Field(min_length=1)
    published: IsoDate | None = None
    source: str | None = Field(None, max_length=300)
    author: str | None = Field(None, max_length=300)


class DocumentsBody(BaseModel):
    model_config = STRICT
    articles: list[ArticleIn] = Field(min_length=1, max_length=1000)


class ChatMessage(BaseModel):
    model_config = ConfigDict(strict=True)
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | None = None


class ChatCompletionBody(BaseModel):
    """OpenAI's request shape; unknown OpenAI parameters are accepted and ignored."""

    model_config = ConfigDict(extra="allow", strict=True)
    model: str = "newsqa"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False

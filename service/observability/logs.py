"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to.

The request id lives in a context variable, set by ``RequestObserver`` for the duration of
a request; it follows the request into worker threads (Starlette copies the context there).
Nothing logged at INFO contains article text, questions or keys: the access line carries the
route template, not the path.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import IO, Literal

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
# Attributes that callers pass with ``extra=`` and the JSON line carries when present.
EXTRA_FIELDS = ("method", "route", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request id (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def build_handler(fmt: Literal["json", "text"], stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


# HTTP clients of Chroma's server and of the LLM server: they log every call at INFO, which
# under 16 search clients was 3,340 lines a minute that say nothing about the service.
CHATTY_CLIENTS = ("httpx", "httpcore")


def configure_logging(level: str, fmt: Literal["json", "text"], stream: IO[str] | None = None) -> None:
    """One handler on the root logger; uvicorn's loggers propagate to it (serve passes
    ``log_config=None``), so server and application lines share the format. The chatty
    clients speak only at DEBUG or from WARNING up."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(build_handler(fmt, stream))
    root.setLevel(level.upper())
    for name in CHATTY_CLIENTS:
        logging.getLogger(name).setLevel(logging.NOTSET if root.level <= logging.DEBUG
                                         else logging.WARNING)

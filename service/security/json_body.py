"""JSON bodies are held to RFC 8259 before a route parses them.

Python's JSON parser is lenient where the rest of the service is not: it reads ``NaN`` and
``Infinity`` (no JSON number; the validation error that names them cannot be serialised,
which was a 500), and ``\\ud800`` escapes into strings that are not Unicode (the tokenizer,
the stores and the UTF-8 encoder of every response fail on them). Such bodies get a 422
naming the field; a body that is not UTF-8 gets a 400 naming the byte.

Only bodies that contain one of the suspect spellings are parsed here; the others pass
after a UTF-8 check, so a large batch of articles is not parsed twice.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import InvalidBody

Loc = tuple[str | int, ...]
# Spellings that may hide a non-finite number or a surrogate escape (a pair is fine, and is
# what clients that escape all non-ASCII text send for an emoji).
SUSPECT = re.compile(rb"NaN|Infinity|\\u[dD][89a-fA-F]")


class NonFinite(float):
    """A ``NaN`` or ``Infinity`` read from the body, remembered with its spelling."""

    spelling: str

    def __new__(cls, spelling: str) -> "NonFinite":
        value = super().__new__(cls, spelling.replace("Infinity", "inf"))
        value.spelling = spelling
        return value


def not_utf8(body: bytes) -> str | None:
    """Why ``body`` is not UTF-8, with the offset of the first bad byte; None when it is."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (f"the body is not valid UTF-8: byte 0x{body[exc.start]:02x} at offset {exc.start} "
                f"({exc.reason})")
    return None


def _leaves(value: Any, loc: Loc) -> Iterator[tuple[Loc, Any]]:
    """Every key and value in ``value`` with its location, keys first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*loc, key), key
            yield from _leaves(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*loc, index))
    else:
        yield loc, value


def _problem(value: Any) -> tuple[str, str] | None:
    """The error type and message for a value the service cannot take, else None."""
    if isinstance(value, NonFinite):
        return "finite_number", f"{value.spelling} is not a JSON number; numbers must be finite"
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return ("string_unicode", f"lone surrogate \\u{ord(value[exc.start]):04x} at character "
                                      f"{exc.start}; text must be valid Unicode")
    return None


def invalid_values(text: str) -> list[dict[str, object]]:
    """Errors in FastAPI's shape for the non-finite numbers and lone surrogates in a JSON
    text; empty when there are none or the text is no JSON (FastAPI reports that itself)."""
    try:
        document = json.loads(text, parse_constant=NonFinite)
    except ValueError:
        return []
    errors = []
    for loc, value in _leaves(document, ("body",)):
        problem = _problem(value)
        if problem:
            errors.append({"type": problem[0], "loc": list(loc), "msg": problem[1]})
    return errors


def _is_json(scope: Scope) -> bool:
    """The bodies FastAPI parses as JSON: declared as such, or declared as nothing."""
    declared = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
    media = declared.split(";")[0].strip().lower()
    return media in ("", "application/json") or media.endswith("+json")


def check(body: bytes) -> None:
    """Raises ``InvalidBody`` for a body that is not UTF-8 (400) or holds a value no strict
    JSON parser takes (422)."""
    reason = not_utf8(body)
    if reason:
        raise InvalidBody(400, reason)
    errors = invalid_values(body.decode("utf-8")) if SUSPECT.search(body) else []
    if errors:
        raise InvalidBody(422, errors)


class JsonBodyCheck:
    """Checks the whole body when the route first reads it: by then the route is matched
    (the request is logged and counted under it), and the error comes where FastAPI's own
    JSON errors would, through its handler for HTTP exceptions raised while reading."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        pending: list[Message] | None = None

        async def checked_receive() -> Message:
            nonlocal pending
            if pending is None:
                pending = await _whole_body(receive)
                if pending[0]["type"] == "http.request":
                    check(pending[0]["body"])
            return pending.pop(0) if pending else await receive()

        await self.app(scope, checked_receive, send)


async def _whole_body(receive: Receive) -> list[Message]:
    """The body as one message (or what ended it early, such as a disconnect)."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return [message]
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return [{"type": "http.request", "body": b"".join(parts), "more_body": False}]

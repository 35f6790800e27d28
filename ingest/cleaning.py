"""Text normalisation applied once, before chunking, so that the stored article text is
exactly what chunks and citation quotes slice into."""

from __future__ import annotations

import html
import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def clean_text(text: str) -> str:
    """Decode entities, normalise Unicode to NFC and whitespace to single spaces, and keep
    paragraph breaks as one blank line; what remains is the canonical article text."""
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text):
        line = _SPACES.sub(" ", block.replace("\n", " ")).strip()
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def clean_line(text: str | None) -> str | None:
    """Metadata fields (title, author, source) are one line; empty ones become None."""
    if text is None:
        return None
    cleaned = clean_text(text).replace("\n\n", " ")
    return cleaned or None

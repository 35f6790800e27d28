"""Sentence-aware chunking that never exceeds the embedder's token window.

Every chunk is a character span ``[start, end)`` of the clean article text, so a citation
can quote exactly the stored text; the article title is prepended only to the text that is
embedded, and its tokens are counted against the window.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Callable, Sequence

TokenCounter = Callable[[Sequence[str]], list[int]]

_SENTENCE_END = re.compile(r"""(\S*)[.!?]['"”’)\]]*\s+(?=["“‘(\[]?[A-Z0-9])""")
_ABBREVIATIONS = frozenset(
    "mr ms mrs dr st jr sr vs inc ltd co no gov sen rep gen prof corp u.s u.k e.g i.e jan feb "
    "aug sept oct nov dec".split()
)


@dataclass(frozen=True)
class Chunk:
    """A span of the article text; ``embed_text`` is what the embedder sees."""

    index: int
    start: int
    end: int
    text: str
    embed_text: str


@dataclass(frozen=True)
class _Piece:
    """``left_out``: a sentence of a boilerplate paragraph, which no chunk may begin or end
    with but whose word pieces count where a chunk holds it."""

    start: int
    end: int
    tokens: int
    left_out: bool = False


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of sentences; paragraph breaks always end a sentence."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        start = para.start()
        for match in _SENTENCE_END.finditer(para.group()):
            word = match.group(1).lower()
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            end = para.start() + match.end()
            spans.append((start, _rstrip_end(text, start, end)))
            start = end
        if start < para.end():
            spans.append((start, _rstrip_end(text, start, para.end())))
    return [(s, e) for s, e in spans if e > s]


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether ``[start, end)`` lies within one of the sorted, disjoint ``spans``."""
    i = bisect_right(spans, (start, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= start and end <= spans[i][1]


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


class Chunker:
    """Packs whole sentences into chunks of at most ``max_tokens`` (title included),
    repeating the last sentence of a chunk at the start of the next one when it is short
    enough, so that a fact split across the boundary is still found."""

    def __init__(self, count_tokens: TokenCounter, *, max_tokens: int, target_tokens: int,
                 overlap_tokens: int, max_title_tokens: int = 32) -> None:
        if target_tokens > max_tokens:
            raise ValueError("target_tokens must not exceed max_tokens")
        self._count = count_tokens
        self._max = max_tokens
        self._target = target_tokens
        self._overlap = overlap_tokens
        self._max_title = max_title_tokens

    def split(self, title: str, text: str, leave_out: Sequence[tuple[int, int]] = ()) -> list[Chunk]:
        """Chunks of ``text``; an empty text gives no chunks. No chunk begins or ends in,
        or consists of, the sorted paragraph spans ``leave_out`` (a site's boilerplate).
        One between two article sentences stays inside the chunk that holds both, whose
        text is one contiguous slice: breaking chunks there cut a roundup page of short
        items under repeated headings into one tiny chunk per item, and such fragments
        outscored real answers for questions the articles do not cover."""
        spans = sentence_spans(text)
        chrome = [_inside(s, e, leave_out) for s, e in spans]
        if all(chrome):
            return []
        title_prefix = self._title_prefix(title)
        title_tokens = self._count([title_prefix])[0] if title_prefix else 0
        budget = min(self._target, self._max - title_tokens)
        hard_budget = self._max - title_tokens
        counts = self._count([text[s:e] for s, e in spans])
        pieces: list[_Piece] = []
        for (start, end), tokens, left_out in zip(spans, counts, chrome):
            if tokens <= hard_budget:
                pieces.append(_Piece(start, end, tokens, left_out))
            else:
                pieces.extend(replace(piece, left_out=left_out)
                              for piece in self._split_long(text, start, end, hard_budget))
        return [
            Chunk(i, first.start, last.end, text[first.start:last.end],
                  title_prefix + text[first.start:last.end])
            for i, (first, last) in enumerate(self._pack(pieces, budget))
        ]

    def _title_prefix(self, title: str) -> str:
        title = title.strip()
        if not title:
            return ""
        words = title.split()
        while len(words) > 1 and self._count([" ".join(words)])[0] > self._max_title:
            words = words[: max(1, len(words) * 3 // 4)]
        return " ".join(words) + "\n"

    def _split_long(self, text: str, start: int, end: int, budget: int) -> list[_Piece]:
        """A sentence longer than the window is cut at word boundaries; rare in news text,
        but nothing may be silently truncated by the embedder."""
        words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
        counts = self._count([text[s:e] for s, e in words])
        pieces: list[_Piece] = []
        piece_start, used = words[0][0], 0
        prev_end = words[0][0]
        for (ws, we), tokens in zip(words, counts):
            if used and used + tokens > budget:
                pieces.append(_Piece(piece_start, prev_end, used))
                piece_start, used = ws, 0
            used += tokens
            prev_end = we
        pieces.append(_Piece(piece_start, prev_end, used))
        return pieces

    def _pack(self, pieces: list[_Piece], budget: int) -> list[tuple[_Piece, _Piece]]:
        groups: list[tuple[_Piece, _Piece]] = []
        i = 0
        while i < len(pieces):
            if pieces[i].left_out:
                i += 1
                continue
            first = i
            used = pieces[i].tokens
            i += 1
            while i < len(pieces) and used + pieces[i].tokens <= budget:
                used += pieces[i].tokens
                i += 1
            last = i - 1
            while pieces[last].left_out:
                last -= 1
            groups.append((pieces[first], pieces[last]))
            if last == i - 1 and i < len(pieces) and last > first and pieces[last].tokens <= self._overlap \
                    and pieces[last].tokens + pieces[i].tokens <= budget:
                i -= 1
        return groups

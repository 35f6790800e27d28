"""Local files and folders: pick the parser by suffix after checking the file is one we can
read at all.

The checks come first so that a PDF, a UTF-16 export or a 2 GB dump gets a reason the user
can act on instead of a parser error or a hang.
"""

from __future__ import annotations

import codecs
import glob
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.article import Article, LoadError, LoadFailure
from ingest.loaders.feed import parse_feed
from ingest.loaders.html import decode_html, parse_html
from ingest.loaders.jsonl import FieldMap, parse_json, parse_jsonl
from ingest.loaders.markdown import parse_markdown
from ingest.loaders.text import parse_text

Kind = Literal["text", "markdown", "html", "json", "jsonl", "feed"]

SUFFIX_KINDS: dict[str, Kind] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
SELF_DECODING_KINDS = ("html", "feed")
MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MEGABYTE
BINARY_SNIFF_BYTES = 8192
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
GLOB_CHARS = frozenset("*?[")
URL_PREFIXES = ("http://", "https://")


def load_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
              fields: FieldMap = FieldMap()) -> Iterator[Article | LoadFailure]:
    """Load every article in one local file; raises LoadError when the file as a whole
    cannot be read, yields LoadFailure for single bad records inside it."""
    kind = _kind_for(path)
    yield from load_bytes(kind, _read_checked(path, max_bytes), str(path), fields=fields)


def load_bytes(kind: Kind, data: bytes, origin: str, *, fields: FieldMap = FieldMap()
               ) -> Iterator[Article | LoadFailure]:
    """The checks and parsing of a file's content, for files on disk and uploads alike."""
    _check_content(data)
    if kind not in SELF_DECODING_KINDS:
        _require_utf8(data)
    yield from parse_content(kind, data, origin, fields=fields)


def kind_for_name(name: str) -> Kind:
    """The format of a file name by its suffix; LoadError names the supported ones."""
    return _kind_for(Path(name))


def parse_content(kind: Kind, data: bytes, origin: str, *, fields: FieldMap,
                  url: str | None = None, charset: str | None = None
                  ) -> Iterator[Article | LoadFailure]:
    """Run the parser for ``kind``; shared by files and URLs so both read a format the
    same way. ``charset`` is the encoding the transport declared, if any."""
    if kind == "html":
        yield from parse_html(decode_html(data, charset), origin, url=url)
        return
    if kind == "feed":
        yield from parse_feed(data, origin)
        return
    text = _decode_text(data, charset)
    if kind == "json":
        yield from parse_json(text, origin, fields)
    elif kind == "jsonl":
        yield from parse_jsonl(text, origin, fields)
    elif kind == "markdown":
        yield from parse_markdown(text, origin)
    else:
        yield from parse_text(text, origin)


def _decode_text(data: bytes, charset: str | None) -> str:
    """Files reaching here were checked to be UTF-8; a server's charset label is trusted
    only when Python knows it, since a wrong label should not lose the whole document."""
    try:
        encoding = codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        encoding = "utf-8"
    return data.decode(encoding, errors="replace").lstrip("\ufeff")


def format_size(size: int) -> str:
    """Sizes in messages: megabytes like the configured limit, kilobytes below one
    megabyte so that a small limit does not read as "0.0 MB"."""
    if size < MEGABYTE:
        return f"{size / 1024:.0f} KB"
    return f"{size / MEGABYTE:.1f} MB"


@dataclass(frozen=True)
class Expanded:
    """What a list of arguments names: the files and URLs to load, a failure for each
    argument that names nothing, and the files a folder or pattern holds in a format no
    loader reads (``skipped``), which the ingest summary counts so none goes unmentioned."""

    targets: list[str | Path]
    failures: list[LoadFailure]
    skipped: list[Path]


def expand_sources(args: list[str]) -> Expanded:
    """Turn command-line arguments into the files and URLs to load, so that a typo is
    reported instead of silently ignored.

    A file named explicitly is kept whatever its suffix (load_file then says why it is
    unsupported); folders and patterns contribute only supported, non-hidden files and
    report the others as skipped.
    """
    expanded = Expanded([], [], [])
    for arg in args:
        found, skipped, reason = _expand_one(arg)
        if reason:
            expanded.failures.append(LoadFailure(arg, reason))
        expanded.targets.extend(s for s in found if s not in expanded.targets)
        expanded.skipped.extend(s for s in skipped if s not in expanded.skipped)
    return expanded


def _expand_one(arg: str) -> tuple[list[str | Path], list[Path], str | None]:
    if arg.lower().startswith(URL_PREFIXES):
        return [arg], [], None
    path = Path(arg)
    if path.is_file():
        return [path], [], None
    if path.is_dir():
        files, skipped = _split_by_support(_visible_files_under(path))
        return files, skipped, None if files else f"folder has no supported files ({_suffix_list()})"
    if GLOB_CHARS & set(arg):
        files, skipped = _split_by_support(_glob(arg))
        return files, skipped, None if files else "no supported files match this pattern"
    return [], [], "no such file or folder"


def _glob(pattern: str) -> list[Path]:
    found: list[Path] = []
    for match in sorted(glob.glob(pattern, recursive=True)):
        path = Path(match)
        found.extend(_visible_files_under(path) if path.is_dir() else [path])
    return found


def _visible_files_under(folder: Path) -> list[Path]:
    return [
        path for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]


def _split_by_support(files: list[Path]) -> tuple[list[str | Path], list[Path]]:
    supported: list[str | Path] = [f for f in files if f.suffix.lower() in SUFFIX_KINDS]
    return supported, [f for f in files if f.suffix.lower() not in SUFFIX_KINDS]


def _kind_for(path: Path) -> Kind:
    suffix = path.suffix.lower()
    if suffix not in SUFFIX_KINDS:
        shown = f"'{suffix}'" if suffix else "(no suffix)"
        raise LoadError(f"unsupported file type {shown} (supported: {_suffix_list()})")
    return SUFFIX_KINDS[suffix]


def _suffix_list() -> str:
    return ", ".join(SUFFIX_KINDS)


def _read_checked(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(f"file is {format_size(size)}, over the "
                            f"{format_size(max_bytes)} limit")
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise LoadError("no such file") from error
    except PermissionError as error:
        raise LoadError("permission denied") from error
    except IsADirectoryError as error:
        raise LoadError("is a folder, not a file") from error
    return data


def _check_content(data: bytes) -> None:
    if not data.lstrip(codecs.BOM_UTF8).strip():
        raise LoadError("file is empty")
    if data.startswith(UTF16_BOMS):
        raise LoadError("file is UTF-16 text; re-save the file as UTF-8")
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise LoadError("binary file, not text")


def _require_utf8(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LoadError(f"not valid UTF-8 at byte {error.start}; "
                        "re-save the file as UTF-8") from error

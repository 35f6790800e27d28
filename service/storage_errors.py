"""Failed writes to the data dir (a read-only directory, a full disk, a file size limit)
become one precise sentence: which path, the operating system's or SQLite's reason, and what
to do about it.

The stores raise what their libraries raise: ``OSError``, ``sqlite3`` errors, and Chroma
errors that wrap SQLite result codes in their text. This module is the one place that reads
them, so the command line prints a line instead of a traceback and the API answers 507 or 503
instead of 500. The index stays consistent whichever write fails (see ``ingest.pipeline``),
which is why every message can say that running again completes it.
"""

from __future__ import annotations

import errno
import logging
import os
import pwd
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.errors import DependencyUnavailable, retry_after_s
from service.settings import Settings

log = logging.getLogger("newsqa.storage")

NOT_WRITABLE, NO_SPACE, DISK_ERROR = "not writable", "no space", "disk error"
_ERRNO_KINDS = {errno.EACCES: NOT_WRITABLE, errno.EPERM: NOT_WRITABLE, errno.EROFS: NOT_WRITABLE,
                errno.ENOSPC: NO_SPACE, errno.EDQUOT: NO_SPACE, errno.EFBIG: NO_SPACE,
                errno.EIO: DISK_ERROR}
# SQLite primary result codes (the low byte of an extended code) that mean a failed write.
_SQLITE_KINDS = {3: ("SQLITE_PERM", NOT_WRITABLE), 8: ("SQLITE_READONLY", NOT_WRITABLE),
                 14: ("SQLITE_CANTOPEN", NOT_WRITABLE), 13: ("SQLITE_FULL", NO_SPACE),
                 10: ("SQLITE_IOERR", DISK_ERROR)}
# Chroma reports its SQLite failures as text: "... error returned from database: (code: 778)
# disk I/O error".
_CHROMA_SQLITE = re.compile(r"\(code: (\d+)\) ([^\n]+)")
_RUN_AGAIN = ("the index stays consistent, and running the same command or request again "
              "completes it")


class StorageError(DependencyUnavailable):
    """The index or a model file could not be written; the message says where, why and what
    to do. A full disk is told apart because it is the operator's to fix (HTTP 507), while a
    refused or failing write is the service being unavailable (503)."""

    def __init__(self, message: str, *, path: Path, kind: str) -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind

    @property
    def status_code(self) -> int:
        return 507 if self.kind == NO_SPACE else 503


def explain_write_failure(exc: BaseException, settings: Settings) -> StorageError | None:
    """A ``StorageError`` for ``exc`` when it is a failed write to local storage, else None."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
        kind = _ERRNO_KINDS.get(exc.errno or 0)
        if kind is None:
            return None
        path = Path(exc.filename) if exc.filename else settings.data_dir
        verb = "write" if os.path.exists(path) else "create"  # never raises, even where unreadable
        return _storage_error(path, os.strerror(exc.errno or 0), kind, settings, verb)
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        name = getattr(exc, "sqlite_errorname", None)
        return _sqlite_failure(code, str(exc), name, settings.catalog_path, settings)
    if settings.chroma_mode == "embedded" and _is_chroma_error(exc):
        found = _CHROMA_SQLITE.search(str(exc))
        if found is None:
            return None
        return _sqlite_failure(int(found.group(1)), found.group(2), None, settings.chroma_path,
                               settings)
    return None


@contextmanager
def explained_write_failures(settings: Settings) -> Iterator[None]:
    """Re-raise failed writes inside the block as ``StorageError``; anything else unchanged."""
    try:
        yield
    except Exception as exc:
        explained = explain_write_failure(exc, settings)
        if explained is None or explained is exc:
            raise
        raise explained from exc


def check_writable(settings: Settings) -> None:
    """Create the data dir if needed, and a file in it.

    Run before a model loads or a port opens, so a read-only data dir costs a second and its
    message names the directory rather than whichever store file happened to be written first.
    """
    directory = settings.data_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
    except OSError as exc:
        # The probe file's name would mean nothing to the reader: name the directory.
        explained = explain_write_failure(OSError(exc.errno, exc.strerror, str(directory)),
                                          settings)
        if explained is None:
            raise
        raise explained from exc


def install_storage_error_handler(app: FastAPI) -> None:
    """Answer a failed write with its message and status; being more specific than
    ``DependencyUnavailable``, this handler is the one Starlette picks for it."""

    async def storage_failure(request: Request, exc: StorageError) -> JSONResponse:
        log.warning("storage failure on %s: %s", request.url.path, exc)
        headers = {} if exc.kind == NO_SPACE else {"Retry-After": str(retry_after_s(exc))}
        return JSONResponse({"detail": str(exc)}, status_code=exc.status_code, headers=headers)

    app.add_exception_handler(StorageError, storage_failure)


def _sqlite_failure(code: int | None, text: str, name: str | None, path: Path,
                    settings: Settings) -> StorageError | None:
    """SQLite reports why (read-only, full, I/O error) in its result code, not the file."""
    if code is None or (code & 0xFF) not in _SQLITE_KINDS:
        return None
    primary_name, kind = _SQLITE_KINDS[code & 0xFF]
    return _storage_error(path, f"{text} ({name or primary_name})", kind, settings)


def _storage_error(path: Path, reason: str, kind: str, settings: Settings,
                   verb: str = "write") -> StorageError:
    return StorageError(f"cannot {verb} {_describe(path, settings)}: {reason}; "
                        f"{_remedy(path, kind, settings)}", path=path, kind=kind)


def _describe(path: Path, settings: Settings) -> str:
    """Name the store a file belongs to: ``catalog.sqlite3-wal`` means the catalog."""
    catalog = settings.catalog_path
    if path.parent == catalog.parent and path.name.startswith(catalog.name):
        return f"the catalog {catalog}"
    if path == settings.chroma_path or settings.chroma_path in path.parents:
        return f"the vector store {settings.chroma_path}"
    return str(path)


def _remedy(path: Path, kind: str, settings: Settings) -> str:
    if kind == NOT_WRITABLE:
        inside = path == settings.data_dir or settings.data_dir in path.parents
        elsewhere = ", or set NEWSQA_DATA_DIR to a directory that is" if inside else ""
        return f"make {_first_existing(path)} writable for {_user()}{elsewhere}"
    if kind == NO_SPACE:
        return f"free disk space (or raise the file size limit); {_RUN_AGAIN}"
    return f"check the disk and its free space; {_RUN_AGAIN}"


def _first_existing(path: Path) -> Path:
    """What has to become writable: the path, or the directory where it cannot be created."""
    while not os.path.exists(path) and path.parent != path:
        path = path.parent
    return path


def _user() -> str:
    uid = os.geteuid()
    try:
        return f"user {pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def _is_chroma_error(exc: BaseException) -> bool:
    import chromadb.errors  # heavy; only loaded when a failure needs explaining

    return isinstance(exc, chromadb.errors.ChromaError)

"""Failed writes read as one sentence: the errors are real ones from SQLite and the operating
system (Chroma's are its exact wording), so a change in how a library reports them shows here."""

from __future__ import annotations

import errno
import sqlite3
from contextlib import closing
from pathlib import Path

import chromadb.errors
import pytest

from service.settings import Settings
from service.storage_errors import (NO_SPACE, NOT_WRITABLE, StorageError, check_writable,
                                    explain_write_failure, explained_write_failures)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(data_dir=data_dir, llm_backend="extractive", _env_file=None)


def _sqlite_error(path: Path, *statements: str) -> sqlite3.Error:
    conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    try:
        for statement in statements:
            conn.execute(statement)
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("the statements did not fail")


def _catalog(settings: Settings) -> Path:
    with closing(sqlite3.connect(settings.catalog_path)) as conn:
        conn.execute("CREATE TABLE documents (text TEXT)")
    return settings.catalog_path


def test_read_only_catalog_names_the_file_and_the_fix(settings: Settings) -> None:
    catalog = _catalog(settings)
    conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        conn.execute("INSERT INTO documents VALUES ('x')")
    conn.close()

    error = explain_write_failure(raised.value, settings)

    assert error is not None and error.kind == NOT_WRITABLE and error.status_code == 503
    assert str(error).startswith(f"cannot write the catalog {catalog}: attempt to write a readonly "
                                 f"database (SQLITE_READONLY); make {catalog} writable for user ")
    assert str(error).endswith("or set NEWSQA_DATA_DIR to a directory that is")


def test_full_catalog_is_out_of_space(settings: Settings) -> None:
    catalog = _catalog(settings)
    full = _sqlite_error(catalog, "PRAGMA max_page_count = 2",
                         "INSERT INTO documents VALUES (zeroblob(100000))")

    error = explain_write_failure(full, settings)

    assert error is not None and error.kind == NO_SPACE and error.status_code == 507
    assert str(error).startswith(f"cannot write the catalog {catalog}: database or disk is full "
                                 f"(SQLITE_FULL); free disk space")
    assert str(error).endswith("running the same command or request again completes it")


def test_busy_catalog_is_not_a_write_failure(settings: Settings) -> None:
    catalog = _catalog(settings)
    holder = sqlite3.connect(catalog, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        locked = _sqlite_error(catalog, "PRAGMA busy_timeout = 0", "BEGIN IMMEDIATE")
    finally:
        holder.close()

    assert "locked" in str(locked)
    assert explain_write_failure(locked, settings) is None


def test_chroma_sqlite_codes_name_the_vector_store(settings: Settings) -> None:
    io_error = chromadb.errors.InternalError(
        "Query error: Database error: error returned from database: (code: 778) disk I/O error")

    error = explain_write_failure(io_error, settings)

    assert error is not None and error.status_code == 503
    assert str(error).startswith(f"cannot write the vector store {settings.chroma_path}: disk I/O "
                                 f"error (SQLITE_IOERR); check the disk and its free space")


def test_a_chroma_server_s_disk_is_not_ours_to_explain(settings: Settings) -> None:
    remote = settings.model_copy(update={"chroma_mode": "server"})
    full = chromadb.errors.InternalError("error returned from database: (code: 13) database or disk is full")

    assert explain_write_failure(full, remote) is None
    assert explain_write_failure(chromadb.errors.InternalError("index not found"), settings) is None


def test_os_errors_keep_their_file_and_reason(settings: Settings) -> None:
    settings = settings.model_copy(update={"models_dir": settings.data_dir / "models"})
    models = settings.model_files_dir
    models.mkdir(parents=True)
    no_space = OSError(errno.ENOSPC, "No space left on device", str(models / "m.gguf.part"))
    denied = PermissionError(errno.EACCES, "Permission denied", str(models))

    full = explain_write_failure(no_space, settings)
    refused = explain_write_failure(denied, settings)

    assert full is not None and full.status_code == 507
    assert str(full).startswith(f"cannot create {models / 'm.gguf.part'}: No space left on device; "
                                "free disk space")
    assert refused is not None and refused.status_code == 503
    assert str(refused).startswith(f"cannot write {models}: Permission denied; make {models} writable")


def test_other_errors_are_left_alone(settings: Settings) -> None:
    for exc in (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
                FileNotFoundError(errno.ENOENT, "No such file", "x"), ValueError("bad")):
        assert explain_write_failure(exc, settings) is None


def test_block_reraises_write_failures_only(settings: Settings) -> None:
    cause = OSError(errno.EROFS, "Read-only file system", str(settings.data_dir))
    with pytest.raises(StorageError) as raised, explained_write_failures(settings):
        raise cause
    assert raised.value.__cause__ is cause
    assert "Read-only file system" in str(raised.value)

    with pytest.raises(KeyError), explained_write_failures(settings):
        raise KeyError("not a write")


def test_check_creates_the_data_dir_and_leaves_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "new" / "data", _env_file=None)

    check_writable(settings)

    assert settings.data_dir.is_dir() and list(settings.data_dir.iterdir()) == []

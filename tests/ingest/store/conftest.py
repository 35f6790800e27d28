"""Catalog tests that must hold on both engines: a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from ingest.store.catalog import Catalog
from ingest.store.postgres_catalog import PostgresCatalog
from ingest.store.sqlite_catalog import SqliteCatalog


@pytest.fixture(params=["sqlite", "postgres"])
def open_catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Catalog]:
    """Opens the test's one catalog, again for each call, as another worker would."""
    if request.param == "sqlite":
        return lambda: SqliteCatalog(tmp_path / "catalog.sqlite3")
    url = request.getfixturevalue("postgres_server").new_database()
    return lambda: PostgresCatalog(url)

"""The store suite runs on both engines: every test takes ``db``, a fresh SQLite file or a
fresh PostgreSQL database.

PostgreSQL is a private server started once per session from the system binaries
(:class:`~hospital_twin.services.postgres_server.PostgresServer`), or the server of
``HOSPITAL_TWIN_TEST_POSTGRES_URL`` if set (a role allowed to ``CREATE DATABASE``); each
test gets its own database, dropped afterwards. Missing PostgreSQL binaries fail the
PostgreSQL tests with an install hint (they are not skipped).

A test that checks something only SQLite has (WAL, PRAGMAs, the seed's raw SQLite DDL) does
not take ``db``; it is marked ``@pytest.mark.sqlite_only`` and says why in its docstring.
Tests of the PostgreSQL helper itself take ``postgres_admin_url``. Collection fails for a
store test that does none of these.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hospital_twin.services.postgres_server import (
    PostgresServer,
    PostgresServerError,
    create_database,
    drop_database,
)

ENGINES = ("sqlite", "postgresql")
TEST_POSTGRES_URL = "HOSPITAL_TWIN_TEST_POSTGRES_URL"
_HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: a store test of a SQLite-only feature (reason in docstring)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every store test runs on both engines unless it is marked ``sqlite_only``."""
    for item in items:
        if _HERE not in Path(str(item.path)).resolve().parents:
            continue
        fixtures = set(getattr(item, "fixturenames", ()))
        if not fixtures & {"db", "postgres_admin_url"} and not item.get_closest_marker(
                "sqlite_only"):
            raise pytest.UsageError(
                f"{item.nodeid}: store tests take the `db` fixture (both engines) or are "
                "marked @pytest.mark.sqlite_only with the reason in their docstring")


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """URL of a PostgreSQL server whose role may create databases (one per session)."""
    given = os.environ.get(TEST_POSTGRES_URL)
    if given:
        yield given
        return
    try:
        server = PostgresServer()
    except PostgresServerError as err:
        missing = str(err)
    else:
        missing = ""
    if missing:
        pytest.fail(missing, pytrace=False)  # fail (not skip): PostgreSQL must be tested
    with server:  # started here; stopped and its directory deleted on exit
        yield server.url()


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """The engine of this test run: ``sqlite`` or ``postgresql``."""
    return request.param


@pytest.fixture
def db(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new empty database: a SQLite file path or a ``postgresql+psycopg://`` URL."""
    if engine_name == "sqlite":
        yield str(tmp_path / "twin.db")
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    name = f"ht_test_{uuid.uuid4().hex[:12]}"
    url = create_database(admin_url, name)
    try:
        yield url
    finally:
        drop_database(admin_url, name)

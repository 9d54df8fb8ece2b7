"""Database engines: a SQLite file (WAL, ``BEGIN IMMEDIATE`` writes) or a PostgreSQL server.

``HOSPITAL_TWIN_DB`` is either a SQLite path or a ``postgresql://`` URL; everything above
this module is the same SQLAlchemy Core code on both. The engines differ in how concurrent
writers are kept apart:

* **SQLite** — writers take the database's write lock when their transaction starts
  (``BEGIN IMMEDIATE``) and wait for it (busy timeout) instead of failing with "database is
  locked" on a lock upgrade, so the API and several workers can write at once. Reads are
  plain ``BEGIN`` (a WAL snapshot that never blocks writers).
* **PostgreSQL** (driver psycopg 3) — write transactions run at READ COMMITTED; the store's
  read-modify-write steps lock the rows they check with ``SELECT … FOR UPDATE``
  (``.with_for_update()``, which SQLite's compiler leaves out: it is already serialised)
  and migrations take an advisory lock. Reads are READ ONLY, REPEATABLE READ
  transactions (one snapshot).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

#: Seconds a writer waits for SQLite's lock before giving up.
BUSY_TIMEOUT_S = 60.0
_READ = "hospital_twin_read"
#: URL schemes (without a driver) that mean PostgreSQL; they get the psycopg 3 driver.
_POSTGRES_SCHEMES = ("postgresql", "postgres")
SUPPORTED = ("sqlite", "postgresql")


def database_url(db: str | Path) -> str:
    """A SQLAlchemy URL from a URL or a file path (paths become absolute sqlite URLs)."""
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def engine_url(db: str | Path) -> URL:
    """The parsed URL of ``db``; ``postgresql://`` / ``postgres://`` get the psycopg driver.

    Raises ``ValueError`` for databases other than SQLite and PostgreSQL.
    """
    url = make_url(database_url(db))
    if url.drivername in _POSTGRES_SCHEMES:
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in SUPPORTED:
        raise ValueError(
            f"unsupported database {url.render_as_string(hide_password=True)!r}: "
            "HOSPITAL_TWIN_DB must be a SQLite file path or a postgresql:// URL"
        )
    return url


def display_url(db: str | Path) -> str:
    """``db`` for messages and logs: the SQLite path, or the URL without its password."""
    url = engine_url(db)
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def is_postgresql(bind: Engine | Connection) -> bool:
    """True when ``bind`` talks to PostgreSQL (False: SQLite)."""
    return bind.dialect.name == "postgresql"


def _set_wal(cursor: sqlite3.Cursor) -> None:
    """Switch to WAL, retrying: on a new file several processes starting at once can be
    refused the switch ("database is locked") without SQLite's busy handler waiting."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def _on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    _set_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    read_only = conn.get_execution_options().get(_READ, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(db: str | Path) -> Engine:
    """An engine for ``db`` (SQLite path or URL, or a PostgreSQL URL).

    SQLite files get WAL, foreign keys, busy timeout and ``BEGIN IMMEDIATE`` writes;
    PostgreSQL gets psycopg 3 with pre-ping (connections survive a server restart).
    """
    url = engine_url(db)
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success."""
    with engine.begin() as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction: a consistent snapshot that never blocks writers.

    SQLite: plain ``BEGIN`` under WAL. PostgreSQL: READ ONLY at REPEATABLE READ, so the
    several queries of one read see the same committed state.
    """
    with engine.connect() as conn:
        if is_postgresql(conn):
            conn.execution_options(isolation_level="REPEATABLE READ",
                                   postgresql_readonly=True)
        else:
            conn.execution_options(**{_READ: True})
        with conn.begin():
            yield conn

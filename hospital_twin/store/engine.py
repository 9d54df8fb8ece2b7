"""Database engines: SQLite in WAL mode where every write is ``BEGIN IMMEDIATE``.

Writers take SQLite's write lock when their transaction starts and wait for it (busy
timeout) instead of failing with "database is locked" on a lock upgrade, so the API and
several workers can write at once. Other databases get a plain SQLAlchemy engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

#: Seconds a writer waits for SQLite's lock before giving up.
BUSY_TIMEOUT_S = 60.0
_READ = "hospital_twin_read"


def database_url(db: str | Path) -> str:
    """A SQLAlchemy URL from a URL or a file path (paths become absolute sqlite URLs)."""
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _on_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    read_only = conn.get_execution_options().get(_READ, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(db: str | Path) -> Engine:
    """An engine for ``db`` (path or URL); SQLite files get WAL, foreign keys, busy timeout."""
    url = make_url(database_url(db))
    if url.get_backend_name() != "sqlite":
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
    """One read transaction (a consistent snapshot; never blocks writers under WAL)."""
    with engine.connect() as conn:
        conn.execution_options(**{_READ: True})
        with conn.begin():
            yield conn

"""Create or migrate the database on start-up, recording versions in ``schema_version``.

Version 1 is the seed's bare schema (``multis``, ``scenarios``; no version table). Version 2
adds ``scenario_info``/``analysis_info`` and back-fills them for rows written by the seed's
backend. Version 3 adds ``replication_runs`` (scenarios split into replication jobs). Each
step runs in its own write transaction; concurrent start-ups (API and
workers) serialise on the write lock (SQLite) or a transaction-scoped advisory lock
(PostgreSQL, whose DDL is transactional too) and re-check the version inside it. The steps
are SQLAlchemy Core, so they are the same on both engines.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, case, func, inspect, literal, select

from hospital_twin.store.engine import is_postgresql, writing
from hospital_twin.store.schema import (
    DONE,
    FAILED,
    SCHEMA_VERSION,
    SEED_TABLES,
    analysis_info,
    multis,
    replication_runs,
    scenario_info,
    scenarios,
    schema_version,
)

UNFINISHED_SEED_ROW = "left unfinished by an earlier backend (no job to resume it)"
#: Key of the PostgreSQL advisory lock held while the schema is checked and migrated.
MIGRATION_LOCK_KEY = 0x48545749  # "HTWI"


def _lock_schema(conn: Connection) -> None:
    """Serialise migrations: on PostgreSQL wait for the advisory lock (released at commit);
    on SQLite the ``BEGIN IMMEDIATE`` of :func:`writing` already holds the write lock."""
    if is_postgresql(conn):
        conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))


def _to_v1(conn: Connection) -> None:
    for table in SEED_TABLES:
        table.create(conn, checkfirst=True)


def _to_v2(conn: Connection) -> None:
    scenario_info.create(conn, checkfirst=True)
    analysis_info.create(conn, checkfirst=True)
    done = scenarios.c.completed.is_not(None)
    conn.execute(scenario_info.insert().from_select(
        ["scenario_id", "status", "error"],
        select(
            scenarios.c.scenario_id,
            case((done, literal(DONE)), else_=literal(FAILED)),
            case((done, None), else_=literal(UNFINISHED_SEED_ROW)),
        ).where(scenarios.c.scenario_id.not_in(select(scenario_info.c.scenario_id))),
    ))
    first_created = (
        select(func.min(scenarios.c.created))
        .where(scenarios.c.analysis_id == multis.c.analysis_id)
        .scalar_subquery()
    )
    conn.execute(analysis_info.insert().from_select(
        ["analysis_id", "created"],
        select(multis.c.analysis_id, func.coalesce(first_created, literal(0.0)))
        .where(multis.c.analysis_id.not_in(select(analysis_info.c.analysis_id))),
    ))


def _to_v3(conn: Connection) -> None:
    replication_runs.create(conn, checkfirst=True)


#: ``STEPS[v]`` migrates version ``v`` to ``v + 1``.
STEPS: dict[int, Callable[[Connection], None]] = {0: _to_v1, 1: _to_v2, 2: _to_v3}


def current_version(conn: Connection) -> int:
    """The schema version of the database behind ``conn`` (0 = empty, 1 = bare seed)."""
    names = set(inspect(conn).get_table_names())
    if schema_version.name in names:
        found = conn.execute(select(func.max(schema_version.c.version))).scalar()
        if found is not None:
            return int(found)
    return 1 if {t.name for t in SEED_TABLES} <= names else 0


def migrate(engine: Engine) -> int:
    """Bring the database to :data:`SCHEMA_VERSION`; returns the version found before."""
    found = None
    while True:
        with writing(engine) as conn:
            _lock_schema(conn)
            version = current_version(conn)
            found = version if found is None else found
            if version >= SCHEMA_VERSION:
                return found
            STEPS[version](conn)
            schema_version.create(conn, checkfirst=True)
            conn.execute(schema_version.insert().values(version=version + 1,
                                                        applied=time.time()))

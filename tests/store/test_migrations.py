"""A database with the seed's schema is migrated in place and keeps working; start-ups that
race each other migrate once. Both engines, plus the seed's literal SQLite DDL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import inspect, select

from hospital_twin.store import (
    DONE,
    FAILED,
    QUEUED,
    SCHEMA_VERSION,
    current_version,
    get_analysis,
    get_scenario,
    init_db,
    list_scenarios,
    make_engine,
    multis,
    scenarios,
    schema_version,
)
from hospital_twin.store.migrations import UNFINISHED_SEED_ROW
from hospital_twin.store.schema import SEED_TABLES

SEED_DDL = """
CREATE TABLE multis (analysis_id INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE scenarios (
    scenario_id INTEGER PRIMARY KEY AUTOINCREMENT,
    analysis_id INTEGER REFERENCES multis (analysis_id),
    created REAL NOT NULL,
    completed REAL,
    num_reps INTEGER NOT NULL,
    done_reps INTEGER NOT NULL DEFAULT 0,
    results TEXT
);
"""


def _versions(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(schema_version.c.version)
                                 .order_by(schema_version.c.version)).scalars())


def _seed_rows(conn) -> None:
    """What the seed's backend left behind: one finished and one unfinished scenario."""
    conn.execute(multis.insert())
    conn.execute(scenarios.insert().values(analysis_id=1, created=10.0, completed=20.0,
                                           num_reps=1, done_reps=1,
                                           results='{"overall_tat": 5}'))
    conn.execute(scenarios.insert().values(analysis_id=1, created=12.0, num_reps=3,
                                           done_reps=0))


def _check_migrated(engine) -> None:
    with engine.connect() as conn:
        assert current_version(conn) == SCHEMA_VERSION
        names = set(inspect(conn).get_table_names())
    assert {"scenario_info", "analysis_info", "schema_version", "replication_runs"} <= names
    done, unfinished = get_scenario(engine, 1), get_scenario(engine, 2)
    assert (done["status"], done["error"]) == (DONE, None)
    assert (unfinished["status"], unfinished["error"]) == (FAILED, UNFINISHED_SEED_ROW)
    analysis = get_analysis(engine, 1)
    assert analysis["scenario_ids"] == [1, 2] and analysis["created"] == 10.0
    assert analysis["status"] == FAILED


def test_seed_schema_is_migrated_and_backfilled(db):
    engine = make_engine(db)
    with engine.begin() as conn:  # version 1: the seed's two tables, no version table
        for table in SEED_TABLES:
            table.create(conn)
        _seed_rows(conn)
        assert current_version(conn) == 1
    engine.dispose()

    engine = init_db(db)
    _check_migrated(engine)
    # a seed client's insert (no product columns) still works and reads as queued
    with engine.begin() as conn:
        new_id = conn.execute(scenarios.insert().values(created=30.0, num_reps=2)
                              ).inserted_primary_key[0]
    assert new_id == 3
    engine.dispose()
    engine = init_db(db)  # idempotent: a second start-up changes nothing
    assert [r["status"] for r in list_scenarios(engine)] == [DONE, FAILED, QUEUED]
    assert _versions(engine) == list(range(2, SCHEMA_VERSION + 1))  # each step after v1
    engine.dispose()


@pytest.mark.sqlite_only
def test_seed_sqlite_file_is_migrated_and_keeps_its_raw_sql(tmp_path):
    """SQLite-only: the seed's backend was a SQLite file made with this literal DDL, and its
    clients use raw SQLite SQL (``PRAGMA table_info``, ``DEFAULT VALUES``) on it."""
    path = tmp_path / "seed.db"
    with sqlite3.connect(path) as raw:
        raw.executescript(SEED_DDL)
        raw.execute("INSERT INTO multis DEFAULT VALUES")
        raw.execute("INSERT INTO scenarios (analysis_id, created, completed, num_reps, done_reps,"
                    " results) VALUES (1, 10.0, 20.0, 1, 1, '{\"overall_tat\": 5}')")
        raw.execute("INSERT INTO scenarios (analysis_id, created, num_reps, done_reps)"
                    " VALUES (1, 12.0, 3, 0)")
    engine = init_db(path)
    _check_migrated(engine)
    engine.dispose()
    with sqlite3.connect(path) as raw:
        cols = [r[1] for r in raw.execute("PRAGMA table_info(scenarios)")]
        assert cols == ["scenario_id", "analysis_id", "created", "completed", "num_reps",
                        "done_reps", "results"]
        raw.execute("INSERT INTO scenarios (created, num_reps, done_reps) VALUES (30.0, 2, 0)")
        assert raw.execute("SELECT * FROM scenarios WHERE scenario_id = 3").fetchone() == (
            3, None, 30.0, None, 2, 0, None)
    engine = init_db(path)
    assert [r["status"] for r in list_scenarios(engine)] == [DONE, FAILED, QUEUED]
    assert _versions(engine) == list(range(2, SCHEMA_VERSION + 1))  # each step after v1
    engine.dispose()


def test_empty_database_records_every_version(db):
    engine = init_db(db)
    assert _versions(engine) == list(range(1, SCHEMA_VERSION + 1))
    engine.dispose()


START_UP = """
import sys, time
from hospital_twin.store import init_db
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # all start at the same instant
init_db(sys.argv[1]).dispose()
"""


def test_racing_start_ups_migrate_once(db):
    """API and workers starting together on an empty database: every one succeeds and each
    version is applied once (SQLite write lock / PostgreSQL advisory lock)."""
    go = str(time.time() + 3.0)
    procs = [subprocess.Popen([sys.executable, "-c", START_UP, db, go],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    engine = make_engine(db)
    assert _versions(engine) == list(range(1, SCHEMA_VERSION + 1))
    engine.dispose()

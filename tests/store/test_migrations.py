"""A database created with the seed's own DDL is migrated in place and keeps working."""

from __future__ import annotations

import sqlite3

from sqlalchemy import inspect

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
)
from hospital_twin.store.migrations import UNFINISHED_SEED_ROW

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


def _seed_db(path) -> None:
    with sqlite3.connect(path) as raw:
        raw.executescript(SEED_DDL)
        raw.execute("INSERT INTO multis DEFAULT VALUES")
        raw.execute("INSERT INTO scenarios (analysis_id, created, completed, num_reps, done_reps,"
                    " results) VALUES (1, 10.0, 20.0, 1, 1, '{\"overall_tat\": 5}')")
        raw.execute("INSERT INTO scenarios (analysis_id, created, num_reps, done_reps)"
                    " VALUES (1, 12.0, 3, 0)")


def test_seed_database_is_migrated_and_backfilled(tmp_path):
    path = tmp_path / "seed.db"
    _seed_db(path)
    engine = make_engine(path)
    with engine.connect() as conn:
        assert current_version(conn) == 1
    engine.dispose()

    engine = init_db(path)
    with engine.connect() as conn:
        assert current_version(conn) == SCHEMA_VERSION
        names = set(inspect(conn).get_table_names())
    assert {"scenario_info", "analysis_info", "schema_version"} <= names
    done, unfinished = get_scenario(engine, 1), get_scenario(engine, 2)
    assert (done["status"], done["error"]) == (DONE, None)
    assert (unfinished["status"], unfinished["error"]) == (FAILED, UNFINISHED_SEED_ROW)
    analysis = get_analysis(engine, 1)
    assert analysis["scenario_ids"] == [1, 2] and analysis["created"] == 10.0
    assert analysis["status"] == FAILED
    engine.dispose()

    # the seed's columns are untouched and a seed client's raw SQL still works
    with sqlite3.connect(path) as raw:
        cols = [r[1] for r in raw.execute("PRAGMA table_info(scenarios)")]
        assert cols == ["scenario_id", "analysis_id", "created", "completed", "num_reps",
                        "done_reps", "results"]
        raw.execute("INSERT INTO scenarios (created, num_reps, done_reps) VALUES (30.0, 2, 0)")
        assert raw.execute("SELECT * FROM scenarios WHERE scenario_id = 3").fetchone() == (
            3, None, 30.0, None, 2, 0, None)
    engine = init_db(path)  # idempotent: a second start-up changes nothing
    rows = list_scenarios(engine)
    assert [r["status"] for r in rows] == [DONE, FAILED, QUEUED]
    with engine.connect() as conn:
        versions = conn.exec_driver_sql("SELECT version FROM schema_version").scalars().all()
    assert versions == [SCHEMA_VERSION]
    engine.dispose()


def test_empty_database_records_every_version(tmp_path):
    engine = init_db(tmp_path / "new.db")
    with engine.connect() as conn:
        versions = conn.exec_driver_sql(
            "SELECT version FROM schema_version ORDER BY version").scalars().all()
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    engine.dispose()

"""The database keeps the seed's schema exactly, on a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError

from hospital_twin.store import init_db, multis, scenarios

SEED_SCENARIOS = [
    # name, type, notnull, default, pk
    ("scenario_id", "INTEGER", 0, None, 1),
    ("analysis_id", "INTEGER", 0, None, 0),
    ("created", "REAL", 1, None, 0),
    ("completed", "REAL", 0, None, 0),
    ("num_reps", "INTEGER", 1, None, 0),
    ("done_reps", "INTEGER", 1, "0", 0),
    ("results", "TEXT", 0, None, 0),
]


def test_tables_have_the_seed_columns(tmp_path):
    path = tmp_path / "db" / "twin.db"
    init_db(path).dispose()
    with sqlite3.connect(path) as raw:
        columns = [row[1:] for row in raw.execute("PRAGMA table_info(scenarios)")]
        assert columns == SEED_SCENARIOS
        assert [row[1] for row in raw.execute("PRAGMA table_info(multis)")] == ["analysis_id"]
        ddl = raw.execute("SELECT sql FROM sqlite_master WHERE name='scenarios'").fetchone()[0]
        assert "AUTOINCREMENT" in ddl and "REFERENCES multis" in ddl
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_foreign_keys_are_enforced(tmp_path):
    engine = init_db(tmp_path / "twin.db")
    with engine.begin() as conn:
        analysis = conn.execute(multis.insert()).inserted_primary_key[0]
        conn.execute(scenarios.insert().values(analysis_id=analysis, created=1.0, num_reps=3))
        row = conn.execute(scenarios.select()).one()
        assert (row.analysis_id, row.done_reps, row.results) == (analysis, 0, None)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(scenarios.insert().values(analysis_id=999, created=1.0, num_reps=1))
    engine.dispose()


def test_init_is_idempotent_and_keeps_rows(tmp_path):
    path = tmp_path / "twin.db"
    engine = init_db(path)
    with engine.begin() as conn:
        conn.execute(scenarios.insert().values(created=2.0, num_reps=1))
    engine.dispose()
    engine = init_db(path)
    with engine.connect() as conn:
        assert conn.execute(scenarios.select()).one().created == 2.0
    engine.dispose()
